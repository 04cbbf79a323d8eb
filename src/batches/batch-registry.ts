import type { BatchKeys } from "./batch-keys";

/**
 * Adds newly enqueued jobs to their batches' totals. It runs in the same MULTI as the jobs' adds
 * (src/producer/chunk-writer.ts), after them: it counts the jobs that now exist under the ids
 * the producer proposed, so a total is exactly the jobs written, whatever Redis refused part-way,
 * and a duplicate (BullMQ kept the earlier job, the proposed id was never written) is not counted.
 *
 * `allow-oom`: when Redis is out of memory, some adds may have been written before it refused the
 * rest; the count of those must be written all the same, or the total would stay short for good
 * (importing again skips them as duplicates). Its writes are a few bytes.
 *
 * Each job counted is marked in its own hash (`courierBatchCounted`), so running the transaction
 * again counts nothing twice: a client that resends unanswered commands after a reconnection
 * may do just that.
 *
 * ARGV: now (ms), the prefix of job keys, the batches sorted set, the prefix of batch keys, then
 * pairs of proposed job id and batch id. Answers the number of jobs counted.
 */
export const REGISTER_ENQUEUED = `#!lua flags=allow-oom
local now, jobPrefix, batches, batchPrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local perBatch, counted = {}, 0
for i = 5, #ARGV, 2 do
  local jobKey, batch = jobPrefix .. ARGV[i], ARGV[i + 1]
  if redis.call('EXISTS', jobKey) == 1 and redis.call('HSETNX', jobKey, 'courierBatchCounted', '1') == 1 then
    counted = counted + 1
    perBatch[batch] = (perBatch[batch] or 0) + 1
  end
end
for batch, count in pairs(perBatch) do
  local key = batchPrefix .. batch
  redis.call('HINCRBY', key, 'total', count)
  redis.call('HSETNX', key, 'createdAt', now)
  redis.call('ZADD', batches, 'NX', now, batch)
end
return counted
`;

/** REGISTER_ENQUEUED's arguments (after the key count, 0) for jobs proposed under these ids. */
export function registrationArgs(
  keys: BatchKeys,
  jobKeyPrefix: string,
  jobs: { jobId: string; batchId: string }[],
  now: number,
): string[] {
  return [
    String(now),
    jobKeyPrefix,
    keys.batches,
    keys.batch(""), // every batch's key starts so
    ...jobs.flatMap(({ jobId, batchId }) => [jobId, batchId]),
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
