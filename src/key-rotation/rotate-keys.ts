import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { apiKeyKeys } from "../api-keys/api-key-record";
import { duplicateKeySecretKey } from "../producer/duplicate-key-secret";
import type { KeyRing } from "../secrets";
import { rotateStoredTokens, type TokenRotation } from "../token/token-resealing";
import { type JobRotation, rotateStoredJobs } from "./rotate-jobs";
import { rotateWebhookSecrets, type WebhookSecretRotation } from "./webhook-secret-sealing";

export interface KeyRotation {
  activeKey: string;
  jobs: JobRotation;
  token: TokenRotation;
  /** The HTTP API keys' webhook secrets. */
  webhookSecrets: WebhookSecretRotation;
  /** A duplicate-key secret generated before there was a ring, deleted: producers derive theirs now. */
  removedGeneratedDuplicateKeySecret: boolean;
}

/** `keys rotate`: every stored secret under the active key, and nothing left in plaintext. */
export async function rotateKeys(
  queue: Queue,
  redis: Redis,
  keyPrefix: string,
  ring: KeyRing,
  discardToken: boolean,
): Promise<KeyRotation> {
  const jobs = await rotateStoredJobs(queue, redis, ring);
  const token = await rotateStoredTokens(redis, keyPrefix, ring, discardToken);
  const webhookSecrets = await rotateWebhookSecrets(redis, apiKeyKeys(keyPrefix, queue.name), ring);
  const removed = await redis.del(duplicateKeySecretKey(keyPrefix));
  return {
    activeKey: ring.activeId,
    jobs,
    token,
    webhookSecrets,
    removedGeneratedDuplicateKeySecret: removed > 0,
  };
}
