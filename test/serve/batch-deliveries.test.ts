import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { cancelBatch, pauseBatch } from "../../src/batches/batch-control";
import type { batchStatus, failedPage } from "../../src/serve/routes/batch-schemas";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { expectNoSecrets } from "../support/log-sink";
import { waitUntil } from "../support/wait";
import { type ApiAnswer, ServeHarness } from "./serve-harness";

const SECRET = `deliveries-secret-${randomUUID().slice(0, 8)}-`;

interface Guest {
  pid: string;
  password: string;
  reference: string;
}

const guests = (batch: string, count: number): Guest[] =>
  Array.from({ length: count }, (_, n) => ({
    pid: `${batch}-${n + 1}`,
    password: `${SECRET}${batch}-${n + 1}`,
    reference: `REF-${batch}-${n + 1}`,
  }));

/** What GET /v1/batches/{id} and GET /v1/batches/{id}/failed answer. */
const statusIn = (answer: ApiAnswer) => answer.body as unknown as z.output<typeof batchStatus>;
const pageIn = (answer: ApiAnswer) => answer.body as unknown as z.output<typeof failedPage>;

const csvOf = (list: Guest[]) =>
  `pid,password,reference\n${list.map((g) => `${g.pid},${g.password},${g.reference}`).join("\n")}\n`;

describe("GET /v1/batches/{id}, its failed deliveries and their retry", () => {
  let sim: Simulator;
  let worker: RunningDeliveryWorker;
  let h: ServeHarness;
  /** A key with batches:write and batches:read. */
  let key: string;

  const call = (method: "GET" | "POST", path: string, as = key): Promise<ApiAnswer> =>
    h.call(method, path, { key: as });
  const uploadAs = (as: string, batch: string, list: Guest[]) =>
    h.call("POST", `/v1/batches?batch=${encodeURIComponent(batch)}`, {
      key: as,
      raw: { content: csvOf(list), type: "text/csv" },
    });
  const upload = async (batch: string, list: Guest[]) => {
    const answer = await uploadAs(key, batch, list);
    expect(answer.body).toMatchObject({ enqueued: list.length, rejectedCount: 0 });
  };
  const statusOf = async (batch: string) => {
    const answer = await call("GET", `/v1/batches/${encodeURIComponent(batch)}`);
    expect(answer.status).toBe(200);
    return statusIn(answer);
  };
  /** Waits until nothing of the batch is left to deliver, and returns its status then. */
  const settled = async (batch: string) => {
    let status = { total: 0, waiting: 0, delayed: 0, active: 0 };
    await waitUntil(
      async () => {
        status = await statusOf(batch);
        return status.total > 0 && status.waiting + status.delayed + status.active === 0;
      },
      {
        timeoutMs: 45_000,
        intervalMs: 100,
        what: `batch ${batch} settled`,
        describe: () => status,
      },
    );
    return status;
  };
  const failedPage = (batch: string, query = "") =>
    call("GET", `/v1/batches/${encodeURIComponent(batch)}/failed${query}`);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
    // serve's settings are the worker's: the worker delivers what serve enqueues.
    h = await ServeHarness.start({
      settings: {
        AXELNAC_URL: sim.url,
        AXELNAC_USERNAME: "admin",
        AXELNAC_PASSWORD: "admin",
        AXELNAC_SOURCE_ID: "sms",
        DELIVERY_ATTEMPTS: "2",
        DELIVERY_BACKOFF: "50ms",
        DELIVERY_BACKOFF_MAX: "200ms",
        SHUTDOWN_TIMEOUT: "5s",
      },
    });
    worker = await startDeliveryWorker(h.config, h.log.logger);
    key = await h.key(["batches:write", "batches:read"], "batch tests");
  });

  afterAll(async () => {
    await worker?.close();
    await h?.close();
    await sim?.close();
  });

  it("reports a batch a worker delivered, as `status --batch --json` does", async () => {
    const expo = guests("expo", 5);
    await upload("expo", expo);
    await settled("expo");
    expect(await statusOf("expo")).toEqual({
      batch: "expo",
      state: "running",
      total: 5,
      waiting: 0,
      delayed: 0,
      active: 0,
      delivered: 5,
      failed: 0,
      cancelled: 0,
      paused: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(
      sim
        .outbox()
        .filter((sms) => sms.pid.startsWith("expo-"))
        .map((sms) => [sms.pid, sms.passwordFingerprint])
        .sort(),
    ).toEqual(expo.map((g) => [g.pid, sim.fingerprint(g.password)]).sort());
  });

  it("lists the deliveries the appliance failed, newest first, a page at a time, with their file lines", async () => {
    const flaky = guests("flaky", 5);
    sim.setFaults({ failRate: 1 });
    try {
      await upload("flaky", flaky);
      expect(await settled("flaky")).toMatchObject({ total: 5, delivered: 0, failed: 5 });
    } finally {
      sim.setFaults({ failRate: 0 });
    }
    const pages: ApiAnswer[] = [await failedPage("flaky", "?limit=2")];
    const cursorOf = (page: ApiAnswer | undefined) => (page ? pageIn(page).nextCursor : null);
    while (cursorOf(pages.at(-1))) {
      pages.push(await failedPage("flaky", `?limit=2&cursor=${cursorOf(pages.at(-1))}`));
    }
    expect(pages.map((page) => [page.status, pageIn(page).failed.length])).toEqual([
      [200, 2],
      [200, 2],
      [200, 1],
    ]);
    const listed = pages.flatMap((page) => pageIn(page).failed);
    const failedAt = listed.map((item) => Date.parse(item.failedAt ?? ""));
    expect(failedAt).toEqual([...failedAt].sort((a, b) => b - a));
    expect(listed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))).toEqual(
      flaky.map((g, n) => ({
        jobId: expect.stringMatching(/^flaky~/),
        pid: g.pid,
        reference: g.reference,
        code: "AXELNAC_SMS_PROVIDER_FAILED",
        message: expect.stringContaining("gave up after 2 attempts"),
        attempts: 2,
        failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        line: n + 2,
      })),
    );
    // One page holding them all; a page past the last is empty.
    const whole = await failedPage("flaky");
    expect(pageIn(whole).failed).toHaveLength(5);
    expect(pageIn(whole).nextCursor).toBeNull();
  });

  it("retries them once the cause is gone: the worker delivers them", async () => {
    const flaky = guests("flaky", 5);
    const retried = await call("POST", "/v1/batches/flaky/failed/retry");
    expect(retried).toMatchObject({ status: 200, body: { retried: 5, gone: 0 } });
    await waitUntil(async () => (await statusOf("flaky")).delivered === 5, {
      timeoutMs: 45_000,
      intervalMs: 100,
      what: "the retried deliveries delivered",
    });
    expect(await statusOf("flaky")).toMatchObject({ total: 5, delivered: 5, failed: 0 });
    expect((await failedPage("flaky")).body).toEqual({ failed: [], nextCursor: null });
    expect(
      sim
        .outbox()
        .filter((sms) => sms.pid.startsWith("flaky-"))
        .map((sms) => [sms.pid, sms.passwordFingerprint])
        .sort(),
    ).toEqual(flaky.map((g) => [g.pid, sim.fingerprint(g.password)]).sort());
    // Nothing left to retry.
    expect((await call("POST", "/v1/batches/flaky/failed/retry")).body).toEqual({
      retried: 0,
      gone: 0,
    });
  });

  it("refuses to retry a cancelled batch's failed deliveries (409): the workers would drop them", async () => {
    const target = { redis: h.redis, queue: h.queue, keys: h.server.deps.batchKeys };
    sim.setFaults({ failRate: 1 });
    try {
      await upload("called off", guests("called-off", 2));
      expect(await settled("called off")).toMatchObject({ failed: 2 });
    } finally {
      sim.setFaults({ failRate: 0 });
    }
    await cancelBatch(target, "called off");
    const refused = await call("POST", "/v1/batches/called%20off/failed/retry");
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: "COURIER_BATCH_CANCELLED",
        message:
          'batch "called off" was cancelled (batch cancel): its deliveries would be dropped, not sent; nothing retried',
      },
    });
    expect(await statusOf("called off")).toMatchObject({ state: "cancelled", failed: 2 });
    expect(pageIn(await failedPage("called off")).failed).toHaveLength(2);

    await upload("on hold", guests("on-hold", 1));
    await pauseBatch(target, "on hold");
    expect(await statusOf("on hold")).toMatchObject({ state: "paused", paused: true });
  });

  it("answers 404 COURIER_UNKNOWN_BATCH for a batch it does not know, 400 for a bad id or cursor", async () => {
    for (const [method, path] of [
      ["GET", "/v1/batches/never-imported"],
      ["GET", "/v1/batches/never-imported/failed"],
      ["POST", "/v1/batches/never-imported/failed/retry"],
    ] as const) {
      const answer = await call(method, path);
      expect({ path, status: answer.status, code: answer.body.error?.code }).toEqual({
        path,
        status: 404,
        code: "COURIER_UNKNOWN_BATCH",
      });
      expect(answer.body.error?.message).toContain('no batch "never-imported"');
    }
    const colon = await call("GET", "/v1/batches/expo:deliveries:guests");
    expect(colon.status).toBe(400);
    expect(colon.body.error?.message).toContain('holds ":"');
    const cursor = await failedPage("expo", "?cursor=not-a-cursor");
    expect(cursor.status).toBe(400);
    expect(cursor.body.error?.code).toBe("API_CURSOR_INVALID");
    expect((await failedPage("expo", "?limit=0")).status).toBe(400);
  });

  it("lets a key without batches:write read a batch but neither upload nor retry (the routes name their scopes)", async () => {
    const reader = await h.key(["batches:read"], "reader");
    const read = await call("GET", "/v1/batches/expo", reader);
    const listed = await call("GET", "/v1/batches/expo/failed", reader);
    const retry = await call("POST", "/v1/batches/expo/failed/retry", reader);
    const upload = await uploadAs(reader, "reader", guests("reader", 1));
    expect([read.status, listed.status, retry.status, upload.status]).toEqual([200, 200, 403, 403]);
    expect(upload.body.error).toMatchObject({
      code: "API_KEY_SCOPE",
      message: expect.stringContaining("batches:write"),
    });
  });

  it("refuses every batch route without an API key (401 API_KEY_MISSING)", async () => {
    const csv = { content: csvOf(guests("anonymous", 1)), type: "text/csv" };
    const answers = [
      await h.call("POST", "/v1/batches?batch=anonymous", { raw: csv }),
      await h.call("GET", "/v1/batches/expo"),
      await h.call("GET", "/v1/batches/expo/failed"),
      await h.call("POST", "/v1/batches/expo/failed/retry"),
    ];
    expect(answers.map((answer) => [answer.status, answer.body.error?.code])).toEqual(
      Array(4).fill([401, "API_KEY_MISSING"]),
    );
  });

  it("never answers or logs a password", () => {
    expect(h.answers.length).toBeGreaterThan(10);
    expect(h.log.lines().length).toBeGreaterThan(0);
    expectNoSecrets(h.everythingSaid(), [SECRET]);
  });
});
