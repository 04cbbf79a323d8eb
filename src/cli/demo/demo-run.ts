import { randomBytes } from "node:crypto";
import type { Config } from "../../config/config";

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

/** The configuration the demo's producer and workers run with. */
export function demoConfig(
  config: Config,
  run: DemoRun,
  redisUrl: string,
  applianceUrl: string,
): Config {
  return {
    ...config,
    redisUrl,
    redisKeyPrefix: run.keyPrefix,
    queue: { ...config.queue, name: run.queueName },
    axelnac: { ...config.axelnac, url: applianceUrl },
  };
}

/** Every Redis key the run can have written. */
export function demoKeyPrefixes(config: Config, run: DemoRun): string[] {
  return [`${config.queue.prefix}:${run.queueName}:`, `${run.keyPrefix}:`];
}
