import { type BatchKeys, deliverySetSuffix } from "./batch-keys";

/**
 * Adds the guests of newly enqueued jobs to their batches. It runs in the same MULTI as the jobs'
 * adds (src/producer/chunk-writer.ts), after them: it counts the jobs that now exist under the
 * ids the producer proposed, so a batch holds exactly the jobs written, whatever Redis refused
 * part-way, and a duplicate (BullMQ kept the earlier job, the proposed id was never written) is
 * not counted.
 *
 * A batch counts guests, not jobs: each counted job's pid joins the batch's `guests` set, and
 * leaves `delivered` and `failed`, since its new job replaces whatever the earlier one did (a
 * corrected file imported into the same batch). Its total stays the number of distinct guests.
 *
 * `allow-oom`: when Redis is out of memory, some adds may have been written before it refused the
 * rest; those must be counted all the same, or the total would stay short for good (importing
 * again skips them as duplicates). Its writes are a few bytes.
 *
 * Each job counted is marked in its own hash (`courierBatchCounted`), so running the transaction
 * again counts nothing twice: a client that resends unanswered commands after a reconnection
 * may do just that.
 *
 * ARGV: now (ms), the prefix of job keys, the batches sorted set, the prefix of batch keys, the
 * suffixes of the guests, delivered and failed sets, then triples of proposed job id, batch id
 * and pid. Answers the number of jobs counted.
 */
export const REGISTER_ENQUEUED = `#!lua flags=allow-oom
local now, jobPrefix, batches, batchPrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local guests, delivered, failed = ARGV[5], ARGV[6], ARGV[7]
local seen, counted = {}, 0
for i = 8, #ARGV, 3 do
  local jobKey, batch, pid = jobPrefix .. ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('EXISTS', jobKey) == 1 and redis.call('HSETNX', jobKey, 'courierBatchCounted', '1') == 1 then
    counted = counted + 1
    local key = batchPrefix .. batch
    redis.call('SADD', key .. guests, pid)
    redis.call('SREM', key .. delivered, pid)
    redis.call('SREM', key .. failed, pid)
    seen[batch] = key
  end
end
for batch, key in pairs(seen) do
  -- total 0: the field an older version's status looks for; this version counts the sets.
  redis.call('HINCRBY', key, 'total', 0)
  redis.call('HSETNX', key, 'createdAt', now)
  redis.call('ZADD', batches, 'NX', now, batch)
end
return counted
`;

/** REGISTER_ENQUEUED's arguments (after the key count, 0) for jobs proposed under these ids. */
export function registrationArgs(
  keys: BatchKeys,
  jobKeyPrefix: string,
  jobs: { jobId: string; batchId: string; pid: string }[],
  now: number,
): string[] {
  return [
    String(now),
    jobKeyPrefix,
    keys.batches,
    keys.batch(""), // every batch's key starts so
    ...(["guests", "delivered", "failed"] as const).map(deliverySetSuffix),
    ...jobs.flatMap(({ jobId, batchId, pid }) => [jobId, batchId, pid]),
  ];
}

/**
 * REGISTER_ENQUEUED's sibling for onboarding jobs, in the same MULTI as their adds: creates the
 * batch if it is new (`total` of deliveries at 0, so that `status` shows it before its first SMS)
 * and adds the guests of each job that now exists to the batch's set of registered guests, which
 * counts each guest once however many times the file is onboarded into the batch.
 * KEYS: the batch's hash, the batches sorted set, the registered set. ARGV: now (ms), the prefix
 * of job keys, the batch id, then for each job its proposed id, its guest count and its pids.
 */
export const REGISTER_GUESTS = `#!lua flags=allow-oom
local now, jobPrefix, batchId = ARGV[1], ARGV[2], ARGV[3]
local i, registered = 4, 0
while i <= #ARGV do
  local jobKey, count = jobPrefix .. ARGV[i], tonumber(ARGV[i + 1])
  if redis.call('EXISTS', jobKey) == 1 then
    for j = i + 2, i + 1 + count do registered = registered + redis.call('SADD', KEYS[3], ARGV[j]) end
  end
  i = i + 2 + count
end
redis.call('HINCRBY', KEYS[1], 'total', 0)
redis.call('HSETNX', KEYS[1], 'createdAt', now)
redis.call('ZADD', KEYS[2], 'NX', now, batchId)
return registered
`;
