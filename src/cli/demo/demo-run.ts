import { randomBytes } from "node:crypto";
import type { Config } from "../../config/config";
import type { RedisTarget } from "../../config/redis-target";
import { generateKeyEntry, KeyRing } from "../../secrets";
import { webhookQueueName } from "../../webhooks/webhook-queue";

/** The names one demo run writes under, so it never meets real data nor an earlier demo. */
export interface DemoRun {
  id: string;
  batchId: string;
  queueName: string;
  /** REDIS_KEY_PREFIX of the run: its token, batch counters and duplicate-key secret. */
  keyPrefix: string;
}

export function newDemoRun(config: Config): DemoRun {
  const id = randomBytes(4).toString("hex");
  return {
    id,
    batchId: `demo-${id}`,
    queueName: `${config.queue.name}-demo-${id}`,
    keyPrefix: `${config.redisKeyPrefix}:demo-${id}`,
  };
}

/**
 * The configuration the demo's producer and workers run with. Without JOB_ENCRYPTION_KEYS the
 * run seals its secrets under a key of its own, made for it and forgotten with it: the demo shows
 * the product as it should run.
 */
export function demoConfig(
  config: Config,
  run: DemoRun,
  redis: RedisTarget,
  applianceUrl: string,
): Config {
  return {
    ...config,
    redis,
    redisKeyPrefix: run.keyPrefix,
    queue: { ...config.queue, name: run.queueName },
    axelnac: { ...config.axelnac, url: applianceUrl },
    encryption: {
      ...config.encryption,
      ring: config.encryption.ring ?? KeyRing.parse(generateKeyEntry()),
    },
  };
}

/** The demo's line about secrets at rest. */
export function describeEncryption(config: Config, settings: Config): string {
  const key = settings.encryption.ring?.activeId;
  return config.encryption.ring
    ? `guest passwords and the API token sealed in Redis under ${key} (JOB_ENCRYPTION_KEYS)`
    : `guest passwords and the API token sealed in Redis under ${key}, a key of the demo's own`;
}

/** Every Redis key the run can have written. */
export function demoKeyPrefixes(config: Config, run: DemoRun): string[] {
  return [
    `${config.queue.prefix}:${run.queueName}:`,
    // The outcome webhooks' queue, which every worker opens beside the credentials queue.
    `${config.queue.prefix}:${webhookQueueName(run.queueName)}:`,
    `${run.keyPrefix}:`,
  ];
}
