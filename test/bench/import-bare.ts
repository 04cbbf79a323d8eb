/**
 * The import bench's baseline: the same CSV rows enqueued with bare BullMQ and nothing else —
 * lines split on commas (the bench's file has no quotes), no validation, no duplicate
 * protection, no priority, no batch totals, BullMQ's default job options; `addBulk` per 1,000.
 * Prints `<rows> rows` on stdout when done.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Queue } from "bullmq";
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
  let chunk: { name: string; data: Record<string, string> }[] = [];
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

main(process.argv[2] ?? "").catch((error: unknown) => {
  process.stderr.write(`bare import: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
