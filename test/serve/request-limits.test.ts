import { z } from "zod";
import type { RoutePlugin } from "../../src/serve/route-plugin";
import { ROUTE_PLUGINS } from "../../src/serve/routes";
import { guestPassword } from "../support/deliveries";
import { expectNoSecrets } from "../support/log-sink";
import { dumpEverything } from "../support/redis-dump";
import { ServeHarness } from "./serve-harness";

const INTERNAL_SECRET = "internal-detail-4f1c";

/** A part of the API added as any other is: a route that validates a password, one that fails. */
const testRoutes: RoutePlugin = async (app) => {
  app.post(
    "/test/login",
    {
      config: { scope: "deliveries:write" },
      schema: { body: z.object({ user: z.string(), password: z.string().min(64) }) },
    },
    async () => ({ ok: true }),
  );
  app.get("/test/broken", { config: { scope: "deliveries:read" } }, async () => {
    throw new Error(`the database said ${INTERNAL_SECRET}`);
  });
};

describe("serve: what a request may be, and what it never reveals", () => {
  let h: ServeHarness;
  let key: string;
  beforeAll(async () => {
    h = await ServeHarness.start({
      settings: {
        SERVE_BODY_LIMIT: "2KiB",
        JOB_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
      },
      routes: [...ROUTE_PLUGINS, testRoutes],
    });
    key = await h.key(["deliveries:write", "deliveries:read"]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses a body over SERVE_BODY_LIMIT: 413 BODY_TOO_LARGE, nothing enqueued", async () => {
    const guest = { pid: "big", password: guestPassword(), source_id: "sms" };
    const big = await h.call("POST", "/v1/deliveries", {
      key,
      body: { ...guest, reference: "r".repeat(200), padding: "x".repeat(2_048) },
    });
    expect(big.status).toBe(413);
    expect(big.body.error).toEqual({
      code: "BODY_TOO_LARGE",
      message: "the body is larger than 2048 bytes",
    });
    expect(await h.queue.count()).toBe(0);
    expect((await h.call("POST", "/v1/deliveries", { key, body: guest })).status).toBe(202);
  });

  it("names each invalid field of a schema's body (400 REQUEST_INVALID), never its value", async () => {
    const password = guestPassword();
    const answer = await h.call("POST", "/test/login", { key, body: { user: 7, password } });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe("REQUEST_INVALID");
    expect(answer.body.error?.details).toEqual([
      { in: "body", field: "user", message: expect.any(String) },
      { in: "body", field: "password", message: expect.any(String) },
    ]);
    expect(answer.text).not.toContain(password);
    expect(h.log.text()).not.toContain(password);
  });

  it("checks a path parameter too: 400 naming it", async () => {
    const answer = await h.call("GET", `/v1/deliveries/${"x".repeat(600)}`, { key });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.details).toEqual([
      { in: "params", field: "id", message: expect.any(String) },
    ]);
    const tooLong = await h.call("GET", `/v1/deliveries/${"x".repeat(1_100)}`, { key });
    expect(tooLong.status).toBe(414);
    expect(tooLong.body.error?.code).toBe("REQUEST_INVALID");
  });

  it("answers a failure of its own 500 COURIER_INTERNAL_ERROR, saying nothing of it, and logs it", async () => {
    const answer = await h.call("GET", "/test/broken", { key });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toEqual({
      code: "COURIER_INTERNAL_ERROR",
      message: "the courier failed to answer; it has logged why",
    });
    const logged = h.log.lines().find((line) => line.msg === "request failed");
    expect(logged).toMatchObject({ level: 50, code: "COURIER_INTERNAL_ERROR" });
    expect(JSON.stringify(logged)).toContain(INTERNAL_SECRET);
  });

  it("keeps passwords sealed in Redis under the key ring, and out of every answer and log line", async () => {
    const password = guestPassword();
    const answer = await h.call("POST", "/v1/deliveries", {
      key,
      body: { deliveries: [{ pid: "sealed-guest", password, source_id: "sms" }] },
    });
    const [enqueued] = answer.body.deliveries as { jobId: string }[];
    const job = await h.queue.getJob(enqueued?.jobId as string);
    expect(job?.data.password).toMatch(/^enc:v1:k1:/);
    const state = await h.call("GET", `/v1/deliveries/${enqueued?.jobId}`, { key });
    expect(state.body.state).toBe("waiting");
    expect(state.text).not.toMatch(/password/i);
    expectNoSecrets(await dumpEverything(h.redis), [password, key.split(".")[1] as string]);
    expectNoSecrets(h.everythingSaid(), [password, key.split(".")[1] as string]);
  });
});
