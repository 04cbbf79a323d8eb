/**
 * `npm run bench:history`: what the delivery history costs Redis, per delivery. Writes 10,000
 * records (a tenth failed, every one with a pid, a reference and a batch, as an import gives) to a
 * private redis-server through the worker's own writer, and compares `INFO memory`'s used_memory
 * before and after; then MEMORY USAGE of the bucket and its index, per record; then the same
 * records stored as the record's own JSON, for the encoding's sake. The README's figures come
 * from here.
 */
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { DeliveryRecord } from "../src/history/delivery-record";
import { historyKeys } from "../src/history/history-keys";
import { HistoryWriter } from "../src/history/history-writer";
import { encodeRecord } from "../src/history/record-encoding";
import { createLogger } from "../src/logging/logger";
import { startPrivateRedis } from "../src/redis/private-server";

const RECORDS = 10_000;
const RETENTION_MS = 90 * 86_400_000;

/** An import's delivery: delivered, or (one in ten) refused by the appliance. */
function record(n: number, withBatch: boolean): DeliveryRecord {
  const pid = `guest-${String(n).padStart(6, "0")}`;
  const finished = Date.now() - n;
  const common = {
    jobId: withBatch ? `expo-2026~${randomUUID()}` : String(n + 1),
    pid,
    ...(withBatch ? { batchId: "expo-2026", reference: `REG-${String(n).padStart(6, "0")}` } : {}),
    attempts: 1,
    enqueuedAt: new Date(finished - 60_000).toISOString(),
    finishedAt: new Date(finished).toISOString(),
  };
  if (n % 10 === 9) {
    return {
      ...common,
      outcome: "failed",
      code: "AXELNAC_GUEST_NOT_FOUND",
      message: `send_user_credentials for pid "${pid}" rejected: 404 Unable to get resource with this identifier`,
      applianceStatus: 404,
      applianceMessage: "Unable to get resource with this identifier",
    };
  }
  return {
    ...common,
    outcome: "delivered",
    applianceStatus: 200,
    applianceMessage: `Successfully sent credentials to ${pid}`,
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** Bytes per record of `records`, written as the worker writes them. */
async function measure(redis: Redis, records: DeliveryRecord[]) {
  await redis.flushall();
  const keys = historyKeys("axelnac-courier", "axelnac-credentials");
  const before = await usedMemory(redis);
  const writer = new HistoryWriter(redis, keys, RETENTION_MS, createLogger({ level: "silent" }));
  for (const r of records) writer.add(r);
  await writer.close();
  const after = await usedMemory(redis);
  const [until] = await redis.zrange(keys.buckets, 0, -1);
  const bucket = (await redis.memory("USAGE", keys.records(Number(until)), "SAMPLES", "0")) ?? 0;
  const index = (await redis.memory("USAGE", keys.index(Number(until)), "SAMPLES", "0")) ?? 0;
  const stored = records.reduce((sum, r) => sum + Buffer.byteLength(encodeRecord(r)), 0);
  return {
    usedMemoryPerRecord: (after - before) / records.length,
    bucketPerRecord: bucket / records.length,
    indexPerRecord: index / records.length,
    storedTextPerRecord: stored / records.length,
  };
}

/** The same records as the record's own JSON in one hash: what the short keys save. */
async function measurePlainJson(redis: Redis, records: DeliveryRecord[]) {
  await redis.flushall();
  const before = await usedMemory(redis);
  const fields = records.flatMap((r) => [r.jobId, JSON.stringify(r)]);
  for (let at = 0; at < fields.length; at += 2_000) {
    await redis.hset("plain-json", ...fields.slice(at, at + 2_000));
  }
  const after = await usedMemory(redis);
  return { usedMemoryPerRecord: (after - before) / records.length };
}

async function main(): Promise<void> {
  const server = await startPrivateRedis({ dirPrefix: "courier-bench-history-" });
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  try {
    const imported = Array.from({ length: RECORDS }, (_, n) => record(n, true));
    const plain = Array.from({ length: RECORDS }, (_, n) => record(n, false));
    const results = {
      records: RECORDS,
      "import (pid, reference, batch)": await measure(redis, imported),
      "plain producer (pid only)": await measure(redis, plain),
      "import, as the record's own JSON, no index": await measurePlainJson(redis, imported),
    };
    const round = (_: string, v: unknown) => (typeof v === "number" ? Math.round(v) : v);
    process.stdout.write(`${JSON.stringify(results, round, 2)}\n`);
  } finally {
    redis.disconnect();
    await server.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
