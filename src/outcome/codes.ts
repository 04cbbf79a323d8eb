/**
 * Every code the courier reports: in a failed job's reason, a log line's `code`, a command's
 * `failed: CODE: …` line. A code is a stable name to grep for. README, "Outcome codes" and the
 * table above it explain each; a test fails when one of these is missing there.
 */
export const OUTCOME_CODES = [
  // The appliance's answers (src/axelnac/classify.ts, classify-network.ts).
  "AXELNAC_TOKEN_REJECTED",
  "AXELNAC_LOGIN_REJECTED",
  "AXELNAC_ACCESS_DENIED",
  "AXELNAC_ENDPOINT_MISSING",
  "AXELNAC_GUEST_NOT_FOUND",
  "AXELNAC_INVALID_REQUEST",
  "AXELNAC_GUEST_REFUSED",
  "AXELNAC_THROTTLED",
  "AXELNAC_SMS_PROVIDER_FAILED",
  "AXELNAC_SERVER_ERROR",
  "AXELNAC_UNREACHABLE",
  "AXELNAC_TLS_UNTRUSTED",
  "AXELNAC_OUTCOME_UNKNOWN",
  "AXELNAC_UNEXPECTED_RESPONSE",
  "AXELNAC_WRONG_SERVICE",
  // The fleet's shared token (src/token/).
  "AXELNAC_LOGIN_FAILED",
  "AXELNAC_LOGIN_BACKOFF",
  // The courier itself.
  "COURIER_INVALID_JOB",
  "COURIER_ENCRYPTION_KEY_MISSING",
  "COURIER_CIPHERTEXT_INVALID",
  "COURIER_PLAINTEXT_REFUSED",
  "COURIER_INTERNAL_ERROR",
  "COURIER_CONFIG_INVALID",
  "COURIER_REDIS_UNREACHABLE",
  "COURIER_REDIS_REFUSED",
  "COURIER_REDIS_AUTH_REFUSED",
  "COURIER_REDIS_EVICTION_POLICY",
  "COURIER_UNKNOWN_BATCH",
  "COURIER_BATCH_CANCELLED",
  "COURIER_SOURCE_CHANGE_REFUSED",
  "COURIER_INVALID_ENQUEUE_OPTION",
  "COURIER_CSV_INVALID",
  "COURIER_CSV_INVALID_OPTION",
  "COURIER_IMPORT_SETUP",
] as const;

export type OutcomeCode = (typeof OUTCOME_CODES)[number];
