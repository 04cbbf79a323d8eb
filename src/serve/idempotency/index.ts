// The Idempotency-Key layer of the HTTP API (README, "Idempotency-Key").
export { fingerprintOf } from "./fingerprint";
export { MAX_IDEMPOTENCY_KEY_LENGTH, parseIdempotencyKey } from "./idempotency-key";
export { resolveIdempotencySecret } from "./idempotency-secret";
export { idempotencyRecordKey, type RecordScope } from "./idempotency-store";
export {
  DEFAULT_MAX_STORED_BYTES,
  DEFAULT_RUNNING_LEASE_MS,
  type IdempotencyOptions,
  REPLAY_HEADER,
  registerIdempotency,
} from "./register-idempotency";
