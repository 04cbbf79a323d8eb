/**
 * One side of `npm run bench:http`, in a process of its own: `api` is the HTTP API as `serve`
 * starts it (startServer: buildApp on serveDepsOn), `bare` a Fastify route that only calls
 * queue.add, `keyed` that route with an Idempotency-Key's two Redis writes. Both listen on 127.0.0.1, on a free port they write to BENCH_READY_FILE, and exit on
 * SIGTERM (normally, so that --cpu-prof writes its profile).
 */
import { writeFileSync } from "node:fs";
import { Queue } from "bullmq";
import Fastify from "fastify";
import Redis from "ioredis";
import { loadConfig } from "../src/config/config";
import { createLogger } from "../src/logging/logger";
import { startServer } from "../src/serve/server";

async function startApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const config = loadConfig({ ...process.env, SERVE_HOST: "127.0.0.1", SERVE_PORT: "0" });
  const logger = createLogger({ level: config.log.level, format: "json" });
  const server = await startServer(config, logger);
  return { url: server.url, stop: server.stop };
}

/**
 * The baseline: Fastify's defaults (JSON body parser, 1 MiB body limit, no logger), no schema,
 * no authentication, no rate limit, no idempotency, one `queue.add` of the body as it came.
 * `keyed` adds what any API that keeps Idempotency-Keys in Redis must do besides: claim the key
 * before the add (SET NX) and store the answer after it (SET), two more round trips and nothing
 * else, so that its rate is the most such an API can reach on this machine while each request
 * makes its own round trips.
 */
async function startBare(keyed: boolean): Promise<{ url: string; stop(): Promise<void> }> {
  const redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  const queue = new Queue(process.env.QUEUE_NAME ?? "bench-http", { connection: redis });
  const app = Fastify();
  app.post("/v1/deliveries", async (request, reply) => {
    const idempotencyKey = `bench-keyed:${String(request.headers["idempotency-key"])}`;
    if (keyed) await redis.set(idempotencyKey, "running", "PX", 86_400_000, "NX");
    const job = await queue.add("deliver-credentials", request.body);
    const answer = { deliveries: [{ jobId: job.id }] };
    if (keyed) await redis.set(idempotencyKey, JSON.stringify(answer), "PX", 86_400_000);
    return reply.code(202).send(answer);
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    stop: async () => {
      await app.close();
      await queue.close();
      redis.disconnect();
    },
  };
}

async function main(side: string | undefined): Promise<void> {
  if (side !== "api" && side !== "bare" && side !== "keyed") {
    throw new Error("usage: http-server.js api|bare|keyed");
  }
  const server = side === "api" ? await startApi() : await startBare(side === "keyed");
  process.once("SIGTERM", () => {
    void server.stop().finally(() => process.exit(0));
  });
  writeFileSync(process.env.BENCH_READY_FILE ?? "", server.url);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`http-server: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
