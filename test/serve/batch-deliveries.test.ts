import { randomUUID } from "node:crypto";
import { cancelBatch, pauseBatch } from "../../src/batches/batch-control";
import { type Config, loadConfig } from "../../src/config/config";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import {
  type ApiAnswer,
  apiRequest,
  type BatchApp,
  startBatchApp,
  uploadCsv,
} from "../support/batch-app";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

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

const csvOf = (list: Guest[]) =>
  `pid,password,reference\n${list.map((g) => `${g.pid},${g.password},${g.reference}`).join("\n")}\n`;

describe("GET /v1/batches/{id}, its failed deliveries and their retry", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("serve-batch-deliveries");
  const log = captureLog("debug");
  const answers: string[] = [];
  let sim: Simulator;
  let config: Config;
  let worker: RunningDeliveryWorker;
  let server: BatchApp;

  const call = async (method: "GET" | "POST", path: string): Promise<ApiAnswer> => {
    const answer = await apiRequest(server.url, method, path);
    answers.push(answer.text);
    return answer;
  };
  const upload = async (batch: string, list: Guest[]) => {
    const answer = await uploadCsv(server.url, csvOf(list), { batch });
    answers.push(answer.text);
    expect(answer.json).toMatchObject({ enqueued: list.length, rejectedCount: 0 });
  };
  const statusOf = async (batch: string) => {
    const answer = await call("GET", `/v1/batches/${encodeURIComponent(batch)}`);
    expect(answer.status).toBe(200);
    return answer.json;
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
    config = loadConfig({
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queueName,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      AXELNAC_SOURCE_ID: "sms",
      DELIVERY_ATTEMPTS: "2",
      DELIVERY_BACKOFF: "50ms",
      DELIVERY_BACKOFF_MAX: "200ms",
      SHUTDOWN_TIMEOUT: "5s",
    });
    worker = await startDeliveryWorker(config, log.logger);
    server = await startBatchApp(config, { logger: log.logger });
  });

  afterAll(async () => {
    await server.close();
    await worker.close();
    await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
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
    while (pages.at(-1)?.json.nextCursor) {
      pages.push(await failedPage("flaky", `?limit=2&cursor=${pages.at(-1)?.json.nextCursor}`));
    }
    expect(pages.map((page) => [page.status, page.json.failed.length])).toEqual([
      [200, 2],
      [200, 2],
      [200, 1],
    ]);
    const listed = pages.flatMap((page) => page.json.failed);
    const failedAt = listed.map((item) => Date.parse(item.failedAt));
    expect(failedAt).toEqual([...failedAt].sort((a, b) => b - a));
    expect(listed.sort((a, b) => a.line - b.line)).toEqual(
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
    expect(whole.json.failed).toHaveLength(5);
    expect(whole.json.nextCursor).toBeNull();
  });

  it("retries them once the cause is gone: the worker delivers them", async () => {
    const flaky = guests("flaky", 5);
    const retried = await call("POST", "/v1/batches/flaky/failed/retry");
    expect(retried).toMatchObject({ status: 200, json: { retried: 5, gone: 0 } });
    await waitUntil(async () => (await statusOf("flaky")).delivered === 5, {
      timeoutMs: 45_000,
      intervalMs: 100,
      what: "the retried deliveries delivered",
    });
    expect(await statusOf("flaky")).toMatchObject({ total: 5, delivered: 5, failed: 0 });
    expect((await failedPage("flaky")).json).toEqual({ failed: [], nextCursor: null });
    expect(
      sim
        .outbox()
        .filter((sms) => sms.pid.startsWith("flaky-"))
        .map((sms) => [sms.pid, sms.passwordFingerprint])
        .sort(),
    ).toEqual(flaky.map((g) => [g.pid, sim.fingerprint(g.password)]).sort());
    // Nothing left to retry.
    expect((await call("POST", "/v1/batches/flaky/failed/retry")).json).toEqual({
      retried: 0,
      gone: 0,
    });
  });

  it("refuses to retry a cancelled batch's failed deliveries (409): the workers would drop them", async () => {
    const target = { ...server.operator };
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
    expect(refused.json).toEqual({
      error: {
        code: "COURIER_BATCH_CANCELLED",
        message:
          'batch "called off" was cancelled (batch cancel): its deliveries would be dropped, not sent; nothing retried',
      },
    });
    expect(await statusOf("called off")).toMatchObject({ state: "cancelled", failed: 2 });
    expect((await failedPage("called off")).json.failed).toHaveLength(2);

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
      expect({ path, status: answer.status, code: answer.json.error.code }).toEqual({
        path,
        status: 404,
        code: "COURIER_UNKNOWN_BATCH",
      });
      expect(answer.json.error.message).toContain('no batch "never-imported"');
    }
    const colon = await call("GET", "/v1/batches/expo:deliveries:guests");
    expect(colon.status).toBe(400);
    expect(colon.json.error.message).toContain('holds ":"');
    const cursor = await failedPage("expo", "?cursor=not-a-cursor");
    expect(cursor.status).toBe(400);
    expect(cursor.json.error.code).toBe("API_CURSOR_INVALID");
    expect((await failedPage("expo", "?limit=0")).status).toBe(400);
  });

  it("lets a key without batches:write read a batch but neither upload nor retry (the routes name their scopes)", async () => {
    const reader = await startBatchApp(config, {
      logger: log.logger,
      apiKey: { id: "key-reader", name: "reader", scopes: ["batches:read"] },
    });
    try {
      const read = await apiRequest(reader.url, "GET", "/v1/batches/expo");
      const listed = await apiRequest(reader.url, "GET", "/v1/batches/expo/failed");
      const retry = await apiRequest(reader.url, "POST", "/v1/batches/expo/failed/retry");
      const upload = await uploadCsv(reader.url, csvOf(guests("reader", 1)), { batch: "reader" });
      expect([read.status, listed.status, retry.status, upload.status]).toEqual([
        200, 200, 403, 403,
      ]);
      expect(upload.json.error).toMatchObject({
        code: "API_KEY_SCOPE",
        message: expect.stringContaining("batches:write"),
      });
    } finally {
      await reader.close();
    }
  });

  it("never answers or logs a password", () => {
    expect(answers.length).toBeGreaterThan(10);
    expectNoSecrets(answers.join("\n"), [SECRET]);
    expect(log.lines().length).toBeGreaterThan(0);
    expectNoSecrets(log.text(), [SECRET]);
  });
});
