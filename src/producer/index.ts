export {
  DeliveryProducer,
  type DeliveryProducerOptions,
  type Enqueued,
  type EnqueueManyResult,
} from "./delivery-producer";
export { duplicateKeySecretKey, resolveDuplicateKeySecret } from "./duplicate-key-secret";
export type { EnqueueManyOptions, EnqueueOptions } from "./enqueue-options";
export { InvalidEnqueueOptionError, InvalidJobError } from "./errors";
