import { createHash, randomUUID } from "node:crypto";
import { text } from "node:stream/consumers";
import { Queue } from "bullmq";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type Redis from "ioredis";
import { request } from "undici";
import { sealJobPassword } from "../../src/jobs/job-password";
import { DELIVERY_JOB_NAME, deliveryJobSchema } from "../../src/jobs/job-schema";
import { KeyRing } from "../../src/secrets";
import { ApiError } from "../../src/serve/api-error";
import {
  type IdempotencyOptions,
  idempotencyRecordKey,
  REPLAY_HEADER,
  registerIdempotency,
} from "../../src/serve/idempotency";
import { type CapturedLog, captureLog, expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 7).toString("base64")}`);
const SECRET = "idempotency-test-secret";

/** A gate the slow route waits at until the test opens it. */
interface Gate {
  entered: number;
  open(): void;
  opened: Promise<void>;
}

function newGate(): Gate {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { entered: 0, open, opened };
}

interface TestServer {
  url: string;
  queue: Queue;
  keyPrefix: string;
  log: CapturedLog;
  slow: Gate;
  /** The flaky route throws (a 500) while true. */
  failing: boolean;
  /** Times the deliveries handler ran, whatever it answered. */
  handled: number;
}

let redis: Redis;
const servers: { app: FastifyInstance; queue: Queue; keyPrefix: string; slow: Gate }[] = [];

beforeAll(() => {
  redis = testRedis();
});

afterEach(async () => {
  for (const { app, queue, keyPrefix, slow } of servers.splice(0)) {
    // A failed test may leave requests waiting at the gate; app.close() waits for them.
    slow.open();
    await app.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(redis, keyPrefix);
  }
});

afterAll(async () => {
  redis.disconnect();
});

/**
 * A Fastify app as `serve` builds one: an authentication stand-in that takes the API key id from
 * a header, the idempotency layer, and routes that add real BullMQ jobs (passwords sealed, as the
 * producer does).
 */
async function startServer(overrides: Partial<IdempotencyOptions> = {}): Promise<TestServer> {
  const keyPrefix = uniquePrefix("idempotency");
  const queue = new Queue(`deliveries-${randomUUID().slice(0, 8)}`, {
    connection: redis,
    prefix: `${keyPrefix}:bull`,
  });
  const log = captureLog("debug");
  // The app the lead builds uses the zod type provider: the layer must accept it as it is.
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  const server: TestServer = {
    url: "",
    queue,
    keyPrefix,
    log,
    slow: newGate(),
    failing: true,
    handled: 0,
  };
  servers.push({ app, queue, keyPrefix, slow: server.slow });

  app.addHook("onRequest", async (req) => {
    const id = req.headers["x-test-api-key"];
    if (typeof id === "string") req.apiKey = { id, name: id, scopes: ["deliveries:write"] };
  });
  registerIdempotency(app, {
    redis,
    keyPrefix,
    secret: SECRET,
    ttlMs: 60_000,
    logger: log.logger,
    ...overrides,
  });
  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send(error.toBody());
    return reply
      .code(500)
      .send({ error: { code: "COURIER_INTERNAL_ERROR", message: "an error inside the courier" } });
  });
  app.addContentTypeParser("text/csv", (_req, payload, done) => done(null, payload));

  const addDelivery = async (req: FastifyRequest) => {
    server.handled += 1;
    const parsed = deliveryJobSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new ApiError(400, "COURIER_INVALID_JOB", "the delivery does not fit the job contract");
    }
    const job = sealJobPassword({ ...parsed.data, submitted_by: req.apiKey?.id }, RING);
    const added = await queue.add(DELIVERY_JOB_NAME, job);
    return { job_id: added.id };
  };
  app.post("/v1/deliveries", async (req, reply) => reply.code(202).send(await addDelivery(req)));
  app.post("/v1/slow-deliveries", async (req, reply) => {
    server.slow.entered += 1;
    await server.slow.opened;
    return reply.code(202).send(await addDelivery(req));
  });
  app.post("/v1/flaky-deliveries", async (req, reply) => {
    if (server.failing) throw new Error("the queue is away");
    return reply.code(202).send(await addDelivery(req));
  });
  app.post("/v1/large-deliveries", async (req, reply) => {
    const added = await addDelivery(req);
    return reply.code(202).send({ ...added, padding: "x".repeat(4096) });
  });
  app.post("/v1/scoped-deliveries", { config: { scope: "deliveries:write" } }, async (req, reply) =>
    reply.code(202).send(await addDelivery(req)),
  );
  app.post("/v1/batches", async (req, reply) => {
    const rows = (await text(req.body as NodeJS.ReadableStream)).trim().split("\n").slice(1);
    for (const row of rows) {
      const [pid, password, source_id] = row.split(",");
      await queue.add(
        DELIVERY_JOB_NAME,
        sealJobPassword({ pid, password, source_id } as never, RING),
      );
    }
    return reply.code(202).send({ rows: rows.length });
  });

  server.url = await app.listen({ host: "127.0.0.1", port: 0 });
  return server;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { job_id?: string; error?: { code: string; message: string } };
}

interface Send {
  path?: string;
  key?: string | string[];
  apiKey?: string;
  body?: unknown;
  contentType?: string;
}

async function send(server: TestServer, options: Send = {}): Promise<Answer> {
  const headers: string[] = ["content-type", options.contentType ?? "application/json"];
  for (const key of [options.key ?? []].flat()) headers.push("idempotency-key", key);
  if (options.apiKey !== undefined) headers.push("x-test-api-key", options.apiKey);
  const body = options.body ?? GUEST;
  const response = await request(`${server.url}${options.path ?? "/v1/deliveries"}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const answer = await response.body.text();
  let json: Answer["json"] = {};
  try {
    json = JSON.parse(answer);
  } catch {
    // Not JSON: the test reads `text`.
  }
  return { status: response.statusCode, headers: response.headers, text: answer, json };
}

const GUEST = { pid: "guest-1", password: "Pa55-word-1", source_id: "sms" };

function isReplay(answer: Answer): boolean {
  return answer.headers[REPLAY_HEADER] === "true";
}

async function jobCount(server: TestServer): Promise<number> {
  return server.queue.count();
}

describe("Idempotency-Key: replay and reuse", () => {
  it("replays the first response to the same request: one job, the same status and body, marked as a replay", async () => {
    const server = await startServer();
    const first = await send(server, { key: '"order-1"', apiKey: "key-a" });
    const again = await send(server, { key: '"order-1"', apiKey: "key-a" });

    expect(first.status).toBe(202);
    expect(isReplay(first)).toBe(false);
    expect(again.status).toBe(202);
    expect(isReplay(again)).toBe(true);
    expect(again.text).toBe(first.text);
    expect(again.headers["content-type"]).toBe(first.headers["content-type"]);
    expect(await jobCount(server)).toBe(1);
    expect(server.handled).toBe(1);
  });

  it("accepts the key bare as well as quoted: the same key either way", async () => {
    const server = await startServer();
    const quoted = await send(server, { key: '"7c9e6679-7425-40de-944b-e07fc1f90ae7"' });
    const bare = await send(server, { key: "7c9e6679-7425-40de-944b-e07fc1f90ae7" });
    expect(quoted.status).toBe(202);
    expect(isReplay(bare)).toBe(true);
    expect(await jobCount(server)).toBe(1);
  });

  it("refuses the same key with another body (422 IDEMPOTENCY_KEY_REUSED) and adds no job", async () => {
    const server = await startServer();
    await send(server, { key: '"order-2"', apiKey: "key-a" });
    const other = await send(server, {
      key: '"order-2"',
      apiKey: "key-a",
      body: { ...GUEST, pid: "guest-2" },
    });

    expect(other.status).toBe(422);
    expect(other.json.error?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(other.headers["content-type"]).toMatch(/^application\/json/);
    expect(isReplay(other)).toBe(false);
    expect(await jobCount(server)).toBe(1);
    expect(server.handled).toBe(1);
  });

  it("stores and replays a 4xx the handler answered, without running it again", async () => {
    const server = await startServer();
    const invalid = { ...GUEST, pid: "has a space" };
    const first = await send(server, { key: '"bad-1"', body: invalid });
    const again = await send(server, { key: '"bad-1"', body: invalid });

    expect(first.status).toBe(400);
    expect(first.json.error?.code).toBe("COURIER_INVALID_JOB");
    expect(again.status).toBe(400);
    expect(isReplay(again)).toBe(true);
    expect(again.text).toBe(first.text);
    expect(server.handled).toBe(1);
  });

  it("keeps two API keys' records apart, and a request without a key apart from both", async () => {
    const server = await startServer();
    const a = await send(server, { key: '"shared"', apiKey: "key-a" });
    const b = await send(server, { key: '"shared"', apiKey: "key-b" });
    const anonymous = await send(server, { key: '"shared"' });

    for (const answer of [a, b, anonymous]) {
      expect(answer.status).toBe(202);
      expect(isReplay(answer)).toBe(false);
    }
    expect(new Set([a.json.job_id, b.json.job_id, anonymous.json.job_id]).size).toBe(3);
    expect(await jobCount(server)).toBe(3);
    // Each one's retry is its own replay.
    expect((await send(server, { key: '"shared"', apiKey: "key-b" })).text).toBe(b.text);
  });
});

describe("Idempotency-Key: requests under way", () => {
  it("answers a retry while the first request runs with 409 IDEMPOTENCY_REQUEST_IN_PROGRESS and Retry-After: 1", async () => {
    const server = await startServer();
    const first = send(server, { path: "/v1/slow-deliveries", key: '"slow-1"', apiKey: "key-a" });
    await waitUntil(() => server.slow.entered === 1, { what: "the first request to run" });

    const retry = await send(server, {
      path: "/v1/slow-deliveries",
      key: '"slow-1"',
      apiKey: "key-a",
    });
    expect(retry.status).toBe(409);
    expect(retry.headers["retry-after"]).toBe("1");
    expect(retry.json.error?.code).toBe("IDEMPOTENCY_REQUEST_IN_PROGRESS");

    server.slow.open();
    expect((await first).status).toBe(202);
    const after = await send(server, {
      path: "/v1/slow-deliveries",
      key: '"slow-1"',
      apiKey: "key-a",
    });
    expect(isReplay(after)).toBe(true);
    expect(server.slow.entered).toBe(1);
    expect(await jobCount(server)).toBe(1);
  });

  it("lets 20 requests sent at once with one key add exactly one job; the others get 409 or the replay", async () => {
    const server = await startServer();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => send(server, { key: '"race-1"', apiKey: "key-a" })),
    );

    const originals = answers.filter((a) => a.status === 202 && !isReplay(a));
    const replays = answers.filter((a) => a.status === 202 && isReplay(a));
    const conflicts = answers.filter((a) => a.status === 409);
    expect(originals).toHaveLength(1);
    expect(replays.length + conflicts.length).toBe(19);
    for (const replay of replays) expect(replay.text).toBe(originals[0]?.text);
    for (const conflict of conflicts) {
      expect(conflict.json.error?.code).toBe("IDEMPOTENCY_REQUEST_IN_PROGRESS");
    }
    expect(await jobCount(server)).toBe(1);
    expect(server.handled).toBe(1);
  });

  it("lets 20 requests that arrive while the first still runs add one job: 19 answered 409 at once", async () => {
    const server = await startServer();
    let answered = 0;
    const pending = Array.from({ length: 20 }, () =>
      send(server, { path: "/v1/slow-deliveries", key: '"race-2"', apiKey: "key-a" }).then(
        (answer) => {
          answered += 1;
          return answer;
        },
      ),
    );
    await waitUntil(() => answered === 19, {
      timeoutMs: 30_000,
      what: "19 of the 20 requests to be answered while the first waits",
    });
    expect(server.slow.entered).toBe(1);
    server.slow.open();
    const answers = await Promise.all(pending);

    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(await jobCount(server)).toBe(1);
  });
});

describe("Idempotency-Key: freeing a key", () => {
  it("frees the key once IDEMPOTENCY_TTL has passed: the same request then runs again", async () => {
    const server = await startServer({ ttlMs: 1_000 });
    const recordKey = idempotencyRecordKey(server.keyPrefix, {
      client: "key:key-a",
      method: "POST",
      route: "/v1/deliveries",
      idempotencyKey: "ttl-1",
    });
    const first = await send(server, { key: '"ttl-1"', apiKey: "key-a" });
    expect(first.status).toBe(202);
    expect(await redis.pttl(recordKey)).toBeGreaterThan(0);
    expect(await redis.pttl(recordKey)).toBeLessThanOrEqual(1_000);

    await waitUntil(async () => (await redis.exists(recordKey)) === 0, {
      what: "the record to expire",
    });
    const later = await send(server, { key: '"ttl-1"', apiKey: "key-a" });
    expect(later.status).toBe(202);
    expect(isReplay(later)).toBe(false);
    expect(later.json.job_id).not.toBe(first.json.job_id);
    expect(await jobCount(server)).toBe(2);
  });

  it("releases the key after a 5xx (the handler threw): the retry runs the request", async () => {
    const server = await startServer();
    const failed = await send(server, { path: "/v1/flaky-deliveries", key: '"flaky-1"' });
    expect(failed.status).toBe(500);
    expect(await redis.keys(`${server.keyPrefix}:idempotency:*`)).toEqual([]);

    server.failing = false;
    const retried = await send(server, { path: "/v1/flaky-deliveries", key: '"flaky-1"' });
    expect(retried.status).toBe(202);
    expect(isReplay(retried)).toBe(false);
    expect(await jobCount(server)).toBe(1);
    const again = await send(server, { path: "/v1/flaky-deliveries", key: '"flaky-1"' });
    expect(isReplay(again)).toBe(true);
  });

  it("does not store a response over the size limit: releases the key and logs why", async () => {
    const server = await startServer({ maxStoredBytes: 1_024 });
    const first = await send(server, { path: "/v1/large-deliveries", key: '"large-1"' });
    const again = await send(server, { path: "/v1/large-deliveries", key: '"large-1"' });

    expect(first.status).toBe(202);
    expect(isReplay(again)).toBe(false);
    expect(await jobCount(server)).toBe(2);
    const warning = server.log
      .lines()
      .find((line) => String(line.msg).includes("too large to store"));
    expect(warning).toMatchObject({
      level: 40,
      maxStoredBytes: 1_024,
      route: "/v1/large-deliveries",
    });
    expect(Number(warning?.bytes)).toBeGreaterThan(4_096);
  });
});

describe("Idempotency-Key: what is checked and what is kept", () => {
  it.each([
    ["an empty key", '""', "is empty"],
    ["a key over 255 characters", `"${"k".repeat(256)}"`, "256 characters long"],
    ["two keys", ['"one"', '"two"'], "one key per request"],
    ["an unterminated string", '"open', "no closing quote"],
  ])("refuses %s with 400 IDEMPOTENCY_KEY_INVALID, adding nothing", async (_what, key, problem) => {
    const server = await startServer();
    const answer = await send(server, { key });
    expect(answer.status).toBe(400);
    expect(answer.json.error?.code).toBe("IDEMPOTENCY_KEY_INVALID");
    expect(answer.json.error?.message).toContain(problem);
    expect(server.handled).toBe(0);
    expect(await jobCount(server)).toBe(0);
  });

  it("keeps no password in Redis, the record or the logs; the fingerprint is not a plain hash", async () => {
    const server = await startServer();
    const password = `Pw-${randomUUID()}`;
    const guest = { ...GUEST, pid: "guest-secret", password };
    const first = await send(server, { key: '"secret-1"', apiKey: "key-a", body: guest });
    const again = await send(server, { key: '"secret-1"', apiKey: "key-a", body: guest });
    expect(isReplay(again)).toBe(true);
    expect(first.text).not.toContain(password);

    const recordKey = idempotencyRecordKey(server.keyPrefix, {
      client: "key:key-a",
      method: "POST",
      route: "/v1/deliveries",
      idempotencyKey: "secret-1",
    });
    const record = await redis.hgetall(recordKey);
    expect(record).toMatchObject({ state: "done", status: "202", body: first.text });
    const body = JSON.stringify(guest);
    for (const encoding of ["hex", "base64", "base64url"] as const) {
      expect(record.fingerprint).not.toBe(createHash("sha256").update(body).digest(encoding));
    }
    expectNoSecrets(JSON.stringify(record), [password]);
    expectNoSecrets(await dumpEverything(redis), [password]);
    expectNoSecrets(server.log.text(), [password]);
  });

  it("answers 500 rather than keep a scoped route's record per address when no API key was set before it", async () => {
    const server = await startServer();
    const keyed = await send(server, { path: "/v1/scoped-deliveries", key: '"s-1"', apiKey: "a" });
    expect(keyed.status).toBe(202);
    const unauthenticated = await send(server, { path: "/v1/scoped-deliveries", key: '"s-2"' });
    expect(unauthenticated.status).toBe(500);
    expect(server.handled).toBe(1);
    expect(await redis.keys(`${server.keyPrefix}:idempotency:*`)).toHaveLength(1);
  });

  it("serves streamed (CSV) bodies, requests without the header and other routes as usual", async () => {
    const server = await startServer();
    const csv = "pid,password,source_id\nguest-9,Pa55-word-9,sms\n";
    const upload = () =>
      send(server, { path: "/v1/batches", key: '"csv-1"', contentType: "text/csv", body: csv });
    expect((await upload()).status).toBe(202);
    const second = await upload();
    expect(second.status).toBe(202);
    expect(isReplay(second)).toBe(false);

    await send(server);
    await send(server);
    expect(await jobCount(server)).toBe(4);
    expect((await send(server, { path: "/nowhere", key: '""' })).status).toBe(404);
  });
});
