/**
 * The import bench's baseline: the same CSV rows enqueued with bare BullMQ and nothing else —
 * lines split on commas (the bench's file has no quotes), no validation, no duplicate
 * protection, no priority, no batch totals, BullMQ's default job options; `addBulk` per 1,000.
 * Prints `<rows> rows` on stdout when done.
 *
 * With BENCH_SAME_OPTIONS=1 it sets the BullMQ job options the courier's producer sets (a job id,
 * the import lane's priority, a deduplication id from an HMAC with its window, removeOnComplete,
 * removeOnFail): the difference to the import is then the courier's own work, not BullMQ's.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type JobsOptions, Queue } from "bullmq";
import Redis from "ioredis";

const CHUNK = 1_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(file: string): Promise<void> {
  const connection = new Redis(required("REDIS_URL"), { maxRetriesPerRequest: null });
  const queue = new Queue(required("QUEUE_NAME"), { connection });
  // Connected before reading, as the import is; closing a connection still being opened would
  // also keep the process alive for seconds.
  await queue.waitUntilReady();
  const batch_id = required("BENCH_BATCH_ID");
  let rows = 0;
  const sameOptions = process.env.BENCH_SAME_OPTIONS === "1";
  let chunk: { name: string; data: Record<string, string>; opts?: JobsOptions }[] = [];
  let header = true;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (header || line === "") {
      header = false;
      continue;
    }
    const [pid = "", password = "", source_id = "", reference = ""] = line.split(",");
    chunk.push({
      name: "send-credentials",
      data: { pid, password, source_id, batch_id, reference },
      ...(sameOptions ? { opts: courierOptions(batch_id, source_id, pid, password) } : {}),
    });
    if (chunk.length === CHUNK) {
      await queue.addBulk(chunk);
      rows += chunk.length;
      chunk = [];
    }
  }
  if (chunk.length > 0) await queue.addBulk(chunk);
  rows += chunk.length;
  await queue.close();
  connection.disconnect();
  process.stdout.write(`${rows} rows\n`);
}

/** What src/producer/delivery-job-entry.ts sets for an imported row (the values, not the code). */
function courierOptions(
  batchId: string,
  sourceId: string,
  pid: string,
  password: string,
): JobsOptions {
  return {
    jobId: `${batchId}~${randomUUID()}`,
    priority: 1_000,
    removeOnComplete: true,
    removeOnFail: { age: 30 * 86_400 },
    deduplication: {
      id: createHmac("sha256", "bench-secret-0123456789abcdef")
        .update(`${sourceId}|${pid}|${password}`)
        .digest("hex"),
      ttl: 86_400_000,
    },
  };
}

main(process.argv[2] ?? "").catch((error: unknown) => {
  process.stderr.write(`bare import: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
