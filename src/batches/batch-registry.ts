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
 * REGISTER_ENQUEUED's sibling for onboarding jobs, which carry many guests each: adds each written
 * job's guests to its batch's `guests`, once per job (`courierBatchCounted`), in the same MULTI.
 * `total` (deliveries) is created at 0, so that the batch exists for `status` before its first SMS.
 * ARGV: now (ms), the prefix of job keys, the batches sorted set, the batch's key, the batch id,
 * then pairs of proposed job id and guest count.
 */
export const REGISTER_GUESTS = `#!lua flags=allow-oom
local now, jobPrefix, batches, batchKey, batchId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local guests = 0
for i = 6, #ARGV, 2 do
  local jobKey = jobPrefix .. ARGV[i]
  if redis.call('EXISTS', jobKey) == 1 and redis.call('HSETNX', jobKey, 'courierBatchCounted', '1') == 1 then
    guests = guests + tonumber(ARGV[i + 1])
  end
end
if guests > 0 then
  redis.call('HINCRBY', batchKey, 'guests', guests)
  redis.call('HINCRBY', batchKey, 'total', 0)
  redis.call('HSETNX', batchKey, 'createdAt', now)
  redis.call('ZADD', batches, 'NX', now, batchId)
end
return guests
`;
