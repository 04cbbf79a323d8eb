import type { IdempotencyRecord, StoredResponse } from "./idempotency-record";

/** What a request does when its Idempotency-Key already has a record. */
export type IdempotencyDecision =
  | { kind: "reused" }
  | { kind: "in-progress" }
  | { kind: "replay"; response: StoredResponse };

/**
 * The draft's enforcement scenarios: another request under the key is a misuse whatever its
 * state (422: waiting would not help); the same request is told to wait while the first runs
 * (409), and gets the first one's response once it is stored.
 */
export function decideOnExisting(
  record: IdempotencyRecord,
  fingerprint: string,
): IdempotencyDecision {
  if (record.fingerprint !== fingerprint) return { kind: "reused" };
  if (record.state === "running") return { kind: "in-progress" };
  return { kind: "replay", response: record.response };
}
