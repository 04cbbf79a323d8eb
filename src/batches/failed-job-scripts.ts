import { IS_STORED_BATCH_ID_LUA } from "../jobs/batch-id-rule";
import { bullmqFunction } from "../redis/bullmq-scripts";

/*
 * One failed job retried or purged, and its batch's counters changed, in one atomic step: two
 * operators (or an operator and a worker) acting on the same job at once can neither both act
 * nor count it twice. Each script answers 1 (done), 0 (the job is no longer failed: retried,
 * purged or expired meanwhile) or -1 (the job is not in the batch asked for).
 */

/** A script run once per job: its source, and how many of its arguments are keys. */
export interface PerJobScript {
  source: string;
  keys: number;
}

/**
 * `batchOf(jobKey, jobId)`: the batch a job belongs to, as the worker counts it (src/jobs/job-id.ts,
 * `batchOfJob`): its data's batch_id when `isStoredBatchId` takes it, else the start of its id.
 * `guestOf(jobKey, jobId)`: the guest the batch counts it for (src/worker/batch-counters.ts,
 * `guestOfJob`). Read inside Redis: nothing of the job's data, its password included, leaves it.
 */
export const BATCH_OF = `${IS_STORED_BATCH_ID_LUA}
local function batchOf(jobKey, jobId)
  local raw = redis.call('HGET', jobKey, 'data')
  if raw then
    local ok, data = pcall(cjson.decode, raw)
    if ok and type(data) == 'table' then
      local batch = data['batch_id']
      if isStoredBatchId(batch) then return batch end
    end
  end
  local at = string.find(jobId, '~', 1, true)
  if at and at > 1 then return string.sub(jobId, 1, at - 1) end
  return nil
end
local function guestOf(jobKey, jobId)
  local ok, data = pcall(cjson.decode, redis.call('HGET', jobKey, 'data') or '')
  if ok and type(data) == 'table' and type(data['pid']) == 'string' and data['pid'] ~= '' then
    return data['pid']
  end
  return 'job ' .. jobId
end
`;

/**
 * KEYS: reprocessJob's 9, then the queue's totals hash.
 * ARGV: reprocessJob's 6, then the prefix of batch keys, the batch asked for ('' for any), the
 * suffix of a batch's failed set, then, to give the job new data (`failed retry --source-id`), the
 * data it must still have and its new data ('' and '' to keep it as it is), then, for a job given
 * a new password (`failed retry --passwords`), the key of its new duplicate-protection entry, that
 * entry's id and its lifetime in ms ('' to add none). The guest leaves its batch's failed set; a
 * job counted by an older version (batch-status.ts), whose guest is not there, leaves the hash's
 * failed count.
 */
export const RETRY_FAILED_JOB: PerJobScript = {
  keys: 10,
  source: `${BATCH_OF}${bullmqFunction("reprocessJob", "reprocessJob")}
local jobKey, jobId = KEYS[1], ARGV[1]
if not redis.call('ZSCORE', KEYS[3], jobId) then return 0 end
local batch = batchOf(jobKey, jobId)
if ARGV[8] ~= '' and batch ~= ARGV[8] then return -1 end
local opts = redis.call('HGET', jobKey, 'opts')
local ok, decoded = pcall(cjson.decode, opts or '{}')
ARGV[2] = (ok and type(decoded) == 'table' and decoded['lifo']) and 'RPUSH' or 'LPUSH'
-- A job whose data changed since the caller rewrote it (key rotation re-sealed it) is left alone.
if ARGV[10] ~= '' and redis.call('HGET', jobKey, 'data') ~= ARGV[10] then return 0 end
if reprocessJob() ~= 1 then return 0 end
if ARGV[10] ~= '' then redis.call('HSET', jobKey, 'data', ARGV[11]) end
-- Only a job its producer protected (BullMQ's deid) is protected under its new password; an entry
-- another job holds (the same corrected password enqueued meanwhile) stays that job's.
if ARGV[12] ~= '' and redis.call('HEXISTS', jobKey, 'deid') == 1
  and redis.call('SET', ARGV[12], jobId, 'PX', ARGV[14], 'NX') then
  redis.call('HSET', jobKey, 'deid', ARGV[13])
end
-- The courier's own count of attempts starts afresh (src/jobs/progress.ts).
redis.call('HSET', jobKey, 'progress', '0')
redis.call('HINCRBY', KEYS[10], 'failed', -1)
if batch then
  local key = ARGV[7] .. batch
  if redis.call('SREM', key .. ARGV[9], guestOf(jobKey, jobId)) == 0
    and tonumber(redis.call('HGET', key, 'failed') or '0') > 0 then
    redis.call('HINCRBY', key, 'failed', -1)
  end
end
return 1
`,
};

/**
 * KEYS: removeJob's 2, then the failed set. ARGV: removeJob's 3, then the batch asked for ('' for
 * any). A purged job stays counted as failed: nothing to change in the counters, but a job
 * retried meanwhile is pending again and must not be deleted.
 */
export const PURGE_FAILED_JOB: PerJobScript = {
  keys: 3,
  source: `${BATCH_OF}${bullmqFunction("removeJob", "removeJob")}
local jobKey, jobId = KEYS[1], ARGV[1]
if not redis.call('ZSCORE', KEYS[3], jobId) then return 0 end
if ARGV[4] ~= '' and batchOf(jobKey, jobId) ~= ARGV[4] then return -1 end
return removeJob()
`,
};

/**
 * What `failed list` shows of a page of failed jobs, read inside Redis: a job's data (its
 * password, and anything a producer adds, up to megabytes) never leaves it, only the fields shown,
 * each cut to a bounded length. KEYS: the failed set, then each job's hash. ARGV: the longest pid,
 * reference or batch_id answered, in bytes; the longest reason; then each job's id. Answers, per
 * job, false when it is no longer failed, else { pid, reference, batch_id, failedReason,
 * finishedOn, the worker's count of failed attempts, file_line (0 when none) }, a field false
 * when missing or not a string.
 */
export const LIST_FAILED_JOBS = `
local fieldBytes, reasonBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local function cut(value, bytes)
  if type(value) == 'string' then return string.sub(value, 1, bytes) end
  return false
end
local function decoded(raw)
  local ok, value = pcall(cjson.decode, raw or '')
  if ok and type(value) == 'table' then return value end
  return {}
end
local answers = {}
for i = 2, #KEYS do
  local answer = false
  if redis.call('ZSCORE', KEYS[1], ARGV[i + 1]) then
    local job = redis.call('HMGET', KEYS[i], 'data', 'failedReason', 'finishedOn', 'progress')
    local data = decoded(job[1])
    local attempts = decoded(job[4])['deliveryAttempts']
    local line = data['file_line']
    answer = {
      cut(data['pid'], fieldBytes), cut(data['reference'], fieldBytes),
      cut(data['batch_id'], fieldBytes), cut(job[2], reasonBytes), job[3] or false,
      type(attempts) == 'number' and attempts or 0,
      type(line) == 'number' and line or 0,
    }
  end
  answers[i - 1] = answer
end
return answers
`;
