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
