/**
 * The producer API: what `axelnac-courier/producer` (and the package root) exports to programs
 * that enqueue credential deliveries themselves.
 */

// The BullMQ queue and the ioredis client the producer was built against, so that a program using
// the package needs neither of its own (a second copy of another version would be another class).
export { Queue } from "bullmq";
export { Redis } from "ioredis";
// Batch totals for `status`, and the key ring that seals passwords, as the CLI's producers use them.
export { type BatchKeys, batchKeys } from "../batches/batch-keys";
export { KeyRing, KeyRingError } from "../secrets";
// For a program that receives the outcome webhooks: checks their signature (README, "Outcome webhooks").
export {
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookSignatureCheck,
} from "../webhooks/webhook-signature";
export {
  DeliveryProducer,
  type DeliveryProducerOptions,
  type Enqueued,
  type EnqueueManyResult,
} from "./delivery-producer";
export { duplicateKeySecretKey, resolveDuplicateKeySecret } from "./duplicate-key-secret";
export type { EnqueueManyOptions, EnqueueOptions } from "./enqueue-options";
export {
  EnqueueInterruptedError,
  type InterruptedEnqueue,
  InvalidEnqueueOptionError,
  InvalidJobError,
} from "./errors";
