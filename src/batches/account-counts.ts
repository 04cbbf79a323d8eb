import type Redis from "ioredis";
import type { BatchKeys } from "./batch-keys";

/** What became of a guest's account in an onboarded batch. */
export const ACCOUNT_OUTCOMES = ["created", "reset", "existing", "refused"] as const;
export type AccountOutcome = (typeof ACCOUNT_OUTCOMES)[number];

/** The set of every guest registered for the batch's accounts, written with the onboarding jobs. */
export const REGISTERED = "registered";

/** An onboarded batch's guests: how many were registered, and where each one's account stands. */
export interface AccountCounts extends Record<AccountOutcome, number> {
  /** Distinct guests registered: the same guest onboarded twice into the batch counts once. */
  guests: number;
  /** Registered guests whose account the appliance has not answered for yet. */
  pending: number;
}

/**
 * KEYS: the created, reset, existing and refused sets. ARGV: pairs of pid and outcome.
 * A guest is in one set at most. What the batch did to the account wins over what it found: a
 * guest created (or given a new password) and found existing by a later run of the same file
 * stays created; found existing, it is no longer refused; refused, it is counted only while
 * nothing else is known of it.
 */
const RECORD_OUTCOMES = `
local created, reset, existing, refused = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
for i = 1, #ARGV, 2 do
  local pid, outcome = ARGV[i], ARGV[i + 1]
  if outcome == 'created' or outcome == 'reset' then
    redis.call('SREM', outcome == 'created' and reset or created, pid)
    redis.call('SREM', existing, pid)
    redis.call('SREM', refused, pid)
    redis.call('SADD', outcome == 'created' and created or reset, pid)
  elseif redis.call('SISMEMBER', created, pid) == 0 and redis.call('SISMEMBER', reset, pid) == 0 then
    if outcome == 'existing' then
      redis.call('SREM', refused, pid)
      redis.call('SADD', existing, pid)
    elseif redis.call('SISMEMBER', existing, pid) == 0 then
      redis.call('SADD', refused, pid)
    end
  end
end
return 1`;

/**
 * Records outcomes by pid, one set per outcome: recording the same guest again (a retried job, a
 * worker that died after writing) changes no count. One round trip.
 */
export async function recordAccountOutcomes(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
  outcomes: readonly { pid: string; outcome: AccountOutcome }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await redis.eval(
    RECORD_OUTCOMES,
    ACCOUNT_OUTCOMES.length,
    ...ACCOUNT_OUTCOMES.map((outcome) => keys.accounts(batchId, outcome)),
    ...outcomes.flatMap(({ pid, outcome }) => [pid, outcome]),
  );
}

/** The batch's account counts, or undefined for a batch that was not onboarded. */
export async function readAccountCounts(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<AccountCounts | undefined> {
  const pipeline = redis.pipeline().scard(keys.accounts(batchId, REGISTERED));
  for (const outcome of ACCOUNT_OUTCOMES) pipeline.scard(keys.accounts(batchId, outcome));
  const replies = (await pipeline.exec()) ?? [];
  const [guests = 0, ...cardinalities] = replies.map(([error, value]) => {
    if (error) throw error;
    return Number(value);
  });
  if (guests === 0) return undefined;
  const counts = Object.fromEntries(
    ACCOUNT_OUTCOMES.map((outcome, i) => [outcome, cardinalities[i] ?? 0]),
  ) as Record<AccountOutcome, number>;
  const answered = ACCOUNT_OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
  return { guests, ...counts, pending: Math.max(0, guests - answered) };
}
