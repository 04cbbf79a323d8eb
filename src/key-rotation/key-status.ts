import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { apiKeyKeys } from "../api-keys/api-key-record";
import type { KeyRing } from "../secrets";
import { tokenCensus } from "../token/token-resealing";
import { type JobCensus, PLAINTEXT, takeJobCensus } from "./key-census";
import { webhookSecretCensus } from "./webhook-secret-sealing";

/** What `keys status` reports: where stored secrets stand against the ring. */
export interface KeyStatus {
  /** The ring's ids, the active one first; empty without a ring. */
  ring: string[];
  activeKey: string | null;
  jobs: JobCensus;
  tokens: Record<string, number>;
  /** The HTTP API keys' webhook secrets, by the key id they are sealed under. */
  webhookSecrets: Record<string, number>;
  /** Key ids that stored secrets use and the ring lacks: dropping them lost those secrets. */
  keysNotInRing: string[];
}

export async function takeKeyStatus(
  queue: Queue,
  redis: Redis,
  keyPrefix: string,
  ring: KeyRing | undefined,
): Promise<KeyStatus> {
  const jobs = await takeJobCensus(queue, redis);
  const tokens = await tokenCensus(redis, keyPrefix);
  const webhookSecrets = await webhookSecretCensus(redis, apiKeyKeys(keyPrefix, queue.name));
  const used = new Set([
    ...Object.keys(jobs),
    ...Object.keys(tokens),
    ...Object.keys(webhookSecrets),
  ]);
  used.delete(PLAINTEXT);
  return {
    ring: ring?.ids ?? [],
    activeKey: ring?.activeId ?? null,
    jobs,
    tokens,
    webhookSecrets,
    keysNotInRing: [...used].filter((id) => !ring?.has(id)).sort(),
  };
}
