/**
 * The /metrics, /livez and /readyz plugin on a real listening server, with readiness checks of
 * the test's making, and the Redis check against a real Redis.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { createCourierMetrics } from "../../src/metrics/courier-metrics";
import { startObservabilityServer } from "../../src/metrics/metrics-server";
import { observabilityRoutes } from "../../src/metrics/observability-routes";
import { createReadiness, redisAnswers } from "../../src/metrics/readiness";
import { testRedis } from "../support/redis";
import { get, parseMetrics } from "./scrape";

const passing = async () => ({ ok: true, detail: "ok" });

describe("the observability routes", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function serve(checks: Parameters<typeof createReadiness>[0], timeoutMs?: number) {
    const metrics = createCourierMetrics();
    const readiness = createReadiness(checks, timeoutMs);
    const server = await startObservabilityServer({
      host: "127.0.0.1",
      port: 0,
      registry: metrics.registry,
      readiness,
    });
    closers.push(server.close);
    return { url: server.url, metrics, readiness };
  }

  it("serves the registry as Prometheus text, every courier metric with its help", async () => {
    const { url, metrics } = await serve({});
    metrics.deliveries.inc({ outcome: "delivered" }, 3);
    const answer = await get(`${url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseMetrics(answer.text)).toContainEqual({
      name: "axelnac_courier_deliveries_total",
      labels: { outcome: "delivered" },
      value: 3,
    });
    const helped = [...answer.text.matchAll(/^# HELP (axelnac_courier_\w+) \S/gm)].map((m) => m[1]);
    expect(helped.sort()).toEqual([
      "axelnac_courier_appliance_request_duration_seconds",
      "axelnac_courier_deliveries_total",
      "axelnac_courier_delivery_latency_seconds",
      "axelnac_courier_jobs_held_back_total",
      "axelnac_courier_jobs_in_flight",
      "axelnac_courier_logins_total",
    ]);
  });

  it("gives two registries in one process their own values", async () => {
    const one = createCourierMetrics();
    const two = createCourierMetrics();
    one.logins.inc({ result: "ok" });
    const sample = (text: string) =>
      parseMetrics(text).find((s) => s.name === "axelnac_courier_logins_total")?.value;
    expect(sample(await one.registry.metrics())).toBe(1);
    expect(sample(await two.registry.metrics())).toBe(0);
  });

  it("/livez answers 200 whatever the readiness checks say", async () => {
    const { url } = await serve({ redis: async () => ({ ok: false, detail: "down" }) });
    const live = await get(`${url}/livez`);
    expect(live.status).toBe(200);
    expect(live.json()).toEqual({ status: "alive", checks: { process: "answering" } });
  });

  it("/readyz: 200 when every check passes, 503 naming the one that fails, one that hangs, or one that throws", async () => {
    let redisUp = true;
    const { url } = await serve(
      {
        redis: async () => (redisUp ? { ok: true, detail: "ok" } : { ok: false, detail: "down" }),
        worker: passing,
      },
      200,
    );
    expect((await get(`${url}/readyz`)).status).toBe(200);
    expect((await get(`${url}/readyz`)).json()).toEqual({
      status: "ready",
      checks: { redis: "ok", worker: "ok", shutdown: "not requested" },
    });
    redisUp = false;
    const down = await get(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.json()).toEqual({
      status: "not ready",
      checks: { redis: "down", worker: "ok", shutdown: "not requested" },
    });

    const hanging = await serve({ slow: () => new Promise(() => undefined) }, 200);
    const late = await get(`${hanging.url}/readyz`);
    expect(late.status).toBe(503);
    expect(late.json()).toMatchObject({ checks: { slow: "no answer within 200 ms" } });

    const throwing = await serve({ broken: async () => Promise.reject(new Error("boom")) });
    expect((await get(`${throwing.url}/readyz`)).json()).toMatchObject({
      status: "not ready",
      checks: { broken: "failed: boom" },
    });
  });

  it("/readyz: 503 from the moment stop() is called, though every check passes", async () => {
    const { url, readiness } = await serve({ worker: passing });
    expect((await get(`${url}/readyz`)).status).toBe(200);
    readiness.stop();
    const stopping = await get(`${url}/readyz`);
    expect(stopping.status).toBe(503);
    expect(stopping.json()).toEqual({
      status: "not ready",
      checks: { worker: "ok", shutdown: "in progress" },
    });
    expect((await get(`${url}/livez`)).status).toBe(200);
  });

  it("mounts on another Fastify server as it is, beside that server's own routes", async () => {
    const app: FastifyInstance = Fastify();
    closers.push(() => app.close());
    app.get("/v1/ping", async () => ({ pong: true }));
    await app.register(observabilityRoutes, {
      registry: createCourierMetrics().registry,
      readiness: createReadiness({}),
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    expect((await get(`${base}/v1/ping`)).status).toBe(200);
    expect((await get(`${base}/readyz`)).status).toBe(200);
    expect((await get(`${base}/metrics`)).text).toContain("axelnac_courier_deliveries_total");
  });

  it("refuses a port already taken, naming the settings", async () => {
    const { url } = await serve({});
    const port = Number(new URL(url).port);
    await expect(
      startObservabilityServer({
        host: "127.0.0.1",
        port,
        registry: createCourierMetrics().registry,
        readiness: createReadiness({}),
      }),
    ).rejects.toThrow(
      `cannot serve metrics on 127.0.0.1:${port} (METRICS_HOST, METRICS_PORT): EADDRINUSE`,
    );
  });
});

describe("the Redis readiness check", () => {
  it("passes on a connection to a Redis that answers, fails at once on one that is not connected", async () => {
    const redis = testRedis();
    try {
      const check = redisAnswers(() => redis);
      await new Promise<void>((resolve) => redis.once("ready", () => resolve()));
      await expect(check()).resolves.toEqual({ ok: true, detail: "ok" });
      const ended = new Promise<void>((resolve) => redis.once("end", () => resolve()));
      redis.disconnect();
      await ended;
      await expect(check()).resolves.toEqual({ ok: false, detail: "not connected (end)" });
    } finally {
      if (redis.status !== "end") redis.disconnect();
    }
    await expect(redisAnswers(() => undefined)()).resolves.toEqual({
      ok: false,
      detail: "not connected yet",
    });
  });
});
