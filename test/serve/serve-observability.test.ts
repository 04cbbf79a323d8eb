import { guestPassword } from "../support/deliveries";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

/** The value of one sample of Prometheus text, or undefined when the sample is absent. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("serve: /livez, /readyz, /metrics and the Idempotency-Key, on the API's own server", () => {
  let h: ServeHarness;
  let writer: string;

  beforeAll(async () => {
    // A limit of 3 requests per window: the probes below would spend it many times over.
    h = await ServeHarness.start({
      settings: { API_RATE_LIMIT: "3", API_RATE_LIMIT_WINDOW: "1m" },
    });
    writer = await h.key(["deliveries:write"], "portal");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers the probes without a key, and never counts them against the rate limit", async () => {
    for (let i = 0; i < 10; i++) {
      const live = await h.call("GET", "/livez");
      expect(live.status).toBe(200);
    }
    const ready = await h.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: "ready",
      checks: { redis: "ok", shutdown: "not requested" },
    });
    expect((await h.call("GET", "/metrics")).status).toBe(200);
  });

  it("replays the first answer to a repeated Idempotency-Key: one job for two requests", async () => {
    const guest = { pid: "idem-guest", password: guestPassword(), source_id: "sms" };
    const headers = { "idempotency-key": '"order-4711"' };
    const first = await h.call("POST", "/v1/deliveries", { key: writer, body: guest, headers });
    const again = await h.call("POST", "/v1/deliveries", { key: writer, body: guest, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await h.queue.getJobCountByTypes("waiting", "prioritized")).toBe(1);

    const changed = { ...guest, password: guestPassword() };
    const reused = await h.call("POST", "/v1/deliveries", { key: writer, body: changed, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(h.everythingSaid()).not.toContain(guest.password);
    expect(h.everythingSaid()).not.toContain(changed.password);
  });

  it("counts the API's requests by route pattern and status, and the queue's jobs by state", async () => {
    const metrics = await h.call("GET", "/metrics");
    const text = metrics.text;
    expect(
      sample(
        text,
        "axelnac_courier_http_request_duration_seconds_count",
        'method="POST",route="/v1/deliveries",status="202"',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        "axelnac_courier_http_request_duration_seconds_count",
        'method="POST",route="/v1/deliveries",status="422"',
      ),
    ).toBe(1);
    // The queue's counts are read at most once per 5 s: the first scrape may predate the jobs.
    await waitUntil(
      async () =>
        sample(
          (await h.call("GET", "/metrics")).text,
          "axelnac_courier_queue_jobs",
          'state="waiting"',
        ) === 1,
      { timeoutMs: 15_000, what: "the waiting job in queue_jobs" },
    );
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).not.toContain("idem-guest");
  });
});

describe("serve: /readyz once a stop is asked for", () => {
  it("answers 503 through SERVE_SHUTDOWN_DELAY, then stops listening", async () => {
    const h = await ServeHarness.start({ settings: { SERVE_SHUTDOWN_DELAY: "3s" } });
    try {
      const key = await h.key(["deliveries:read"]);
      expect((await h.call("GET", "/readyz")).status).toBe(200);
      let closed = false;
      const stopped = h.server.stop().then(() => {
        closed = true;
      });
      const probe = await h.call("GET", "/readyz");
      expect(probe.status).toBe(503);
      expect(probe.body).toMatchObject({
        status: "not ready",
        checks: { redis: "ok", shutdown: "in progress" },
      });
      expect((await h.call("GET", "/livez")).status).toBe(200);
      const refused = await h.call("GET", "/v1/deliveries/any", { key });
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe("SERVER_STOPPING");
      expect(closed).toBe(false);
      await stopped;
      await expect(h.call("GET", "/livez")).rejects.toThrow();
    } finally {
      await h.close();
    }
  });
});
