import { bullmqFunction } from "../redis/bullmq-scripts";
import { BATCH_OF, type PerJobScript } from "./failed-job-scripts";

/*
 * The per-job steps of `batch cancel` and `batch resume`, each one atomic script so that a worker
 * taking the same job at the same moment can neither lose it nor see it twice.
 */

/**
 * Removes one pending job of a cancelled batch (and the password it holds) and counts its guest
 * cancelled (batch-keys.ts: the guest's latest outcome, in place of an earlier one). A job a
 * worker holds (its lock is set: in flight) or that has finished meanwhile is left alone: the
 * worker's own outcome counts it. KEYS: removeJob's 2, the queue's totals hash, the batch's key.
 * ARGV: removeJob's 3, then '1' to count the job (a delivery) or '0' (an onboarding job, whose
 * guests are counted by their accounts), then the suffixes of the batch's delivered, failed and
 * cancelled sets. Answers 1 when removed, else 0.
 */
export const CANCEL_PENDING_JOB: PerJobScript = {
  keys: 4,
  source: `${BATCH_OF}${bullmqFunction("removeJob", "removeJob")}
local jobKey = KEYS[1]
if redis.call('EXISTS', jobKey) == 0 then return 0 end
if redis.call('HEXISTS', jobKey, 'finishedOn') == 1 then return 0 end
local guest = guestOf(jobKey, ARGV[1])
if removeJob() ~= 1 then return 0 end
if ARGV[4] == '1' then
  redis.call('HINCRBY', KEYS[3], 'cancelled', 1)
  redis.call('SREM', KEYS[4] .. ARGV[5], guest)
  redis.call('SREM', KEYS[4] .. ARGV[6], guest)
  redis.call('SADD', KEYS[4] .. ARGV[7], guest)
end
return 1
`,
};

/**
 * Sends a held job of a resumed batch back to the queue now, where its priority puts it. KEYS:
 * promote's 9. ARGV: promote's 2 (the queue's key prefix, the job id). Answers 1 when promoted,
 * 0 when the job was no longer delayed (taken, or removed meanwhile).
 */
export const RELEASE_HELD_JOB: PerJobScript = {
  keys: 9,
  source: `${bullmqFunction("promote", "promote")}
if promote() == 0 then return 1 end
return 0
`,
};

/**
 * Marks a batch paused or cancelled, unless it is unknown or already cancelled (for good).
 * KEYS: the control hash, the batch's hash. ARGV: the batch id, the new state. Answers
 * 'unknown', 'cancelled' (a pause of a cancelled batch), or the state it set.
 */
export const MARK_BATCH = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 'unknown' end
local state = redis.call('HGET', KEYS[1], ARGV[1])
if state == 'cancelled' then return 'cancelled' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;

/**
 * Clears a batch's pause. KEYS, ARGV: as MARK_BATCH's (no state). Answers 'unknown', 'cancelled'
 * (a cancelled batch stays so), 'running' (it was not paused) or 'resumed'.
 */
export const UNMARK_PAUSED = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 'unknown' end
local state = redis.call('HGET', KEYS[1], ARGV[1])
if state == 'cancelled' then return 'cancelled' end
if state ~= 'paused' then return 'running' end
redis.call('HDEL', KEYS[1], ARGV[1])
return 'resumed'
`;
