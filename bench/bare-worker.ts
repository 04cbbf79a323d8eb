/**
 * The bench's baseline: a BullMQ worker with BullMQ's defaults that POSTs each job to the appliance
 * with undici and does nothing else — no validation, no shared token, no limiter, no global
 * concurrency, no retry policy, no logging per job. One login at start, then a fixed token.
 * Reads the same environment variables as the real worker, so the bench starts both alike.
 */
import { Worker } from "bullmq";
import Redis from "ioredis";
import { Pool } from "undici";

const env = process.env;

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function login(pool: Pool, username: string, password: string): Promise<string> {
  const { statusCode, body } = await pool.request({
    path: "/api/v1/login",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const reply = (await body.json()) as { token?: unknown };
  if (statusCode !== 200 || typeof reply.token !== "string") {
    throw new Error(`login answered ${statusCode}`);
  }
  return reply.token;
}

async function main(): Promise<void> {
  const pool = new Pool(required("AXELNAC_URL"), {
    connections: Number(env.AXELNAC_MAX_CONNECTIONS ?? 50),
    pipelining: 1,
  });
  const token = await login(pool, required("AXELNAC_USERNAME"), required("AXELNAC_PASSWORD"));
  const connection = new Redis(required("REDIS_URL"), { maxRetriesPerRequest: null });

  const worker = new Worker(
    required("QUEUE_NAME"),
    async (job) => {
      const { pid, password, source_id } = job.data as Record<string, string>;
      const { statusCode, body } = await pool.request({
        path: "/api/v1/sms_gateways/send_user_credentials",
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ args: { pid, password, source_id } }),
      });
      await body.dump();
      if (statusCode < 200 || statusCode > 299) throw new Error(`send answered ${statusCode}`);
    },
    { connection, concurrency: Number(env.WORKER_CONCURRENCY ?? 50) },
  );
  worker.on("error", (error) => process.stderr.write(`bare worker: ${error.message}\n`));
  process.stdout.write("bare worker started\n");

  const stop = async () => {
    await worker.close();
    await pool.close();
    connection.disconnect();
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`bare worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
