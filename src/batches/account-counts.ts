import type Redis from "ioredis";
import type { BatchKeys } from "./batch-keys";

/** What became of a guest's account in an onboarded batch. */
export const ACCOUNT_OUTCOMES = ["created", "reset", "existing", "refused"] as const;
export type AccountOutcome = (typeof ACCOUNT_OUTCOMES)[number];

/** An onboarded batch's guests: how many were registered, and where each one's account stands. */
export interface AccountCounts extends Record<AccountOutcome, number> {
  guests: number;
  /** Registered guests whose account the appliance has not answered for yet. */
  pending: number;
}

/**
 * Records outcomes by pid, one set per outcome: recording the same guest again (a retried job, a
 * worker that died after writing) changes no count, and a guest refused and later created moves
 * from one set to the other. One round trip.
 */
export async function recordAccountOutcomes(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
  outcomes: readonly { pid: string; outcome: AccountOutcome }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const pipeline = redis.multi();
  for (const { pid, outcome } of outcomes) {
    for (const other of ACCOUNT_OUTCOMES) {
      if (other === outcome) pipeline.sadd(keys.accounts(batchId, other), pid);
      else pipeline.srem(keys.accounts(batchId, other), pid);
    }
  }
  await pipeline.exec();
}

/** The batch's account counts, or undefined for a batch that was not onboarded. */
export async function readAccountCounts(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<AccountCounts | undefined> {
  const pipeline = redis.pipeline().hget(keys.batch(batchId), "guests");
  for (const outcome of ACCOUNT_OUTCOMES) pipeline.scard(keys.accounts(batchId, outcome));
  const replies = (await pipeline.exec()) ?? [];
  const [guestsReply, ...cardinalities] = replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
  if (guestsReply === null || guestsReply === undefined) return undefined;
  const guests = Number(guestsReply);
  const counts = Object.fromEntries(
    ACCOUNT_OUTCOMES.map((outcome, i) => [outcome, Number(cardinalities[i] ?? 0)]),
  ) as Record<AccountOutcome, number>;
  const answered = ACCOUNT_OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
  return { guests, ...counts, pending: Math.max(0, guests - answered) };
}
