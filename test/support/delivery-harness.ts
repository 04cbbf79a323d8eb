import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import Redis from "ioredis";
import {
  type PrivateRedis,
  type PrivateRedisOptions,
  startPrivateRedis,
} from "../../src/redis/private-server";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator";
import { runCommand } from "./command-in-process";
import type { GuestJob } from "./deliveries";
import { deleteKeys, testRedisUrl, uniquePrefix } from "./redis";
import { waitUntil } from "./wait";
import { WorkerFleet, workerEnv } from "./worker-fleet";

const API_USERNAME = "courier-api";

export interface DeliveryHarnessOptions {
  simulator?: SimulatorOptions;
  /** A Redis of the test's own (destroyed by the test, so no key is cleaned here). */
  privateRedisUrl?: string;
  /** Worker settings for every worker of this test. */
  settings?: Record<string, string>;
}

/**
 * Everything one delivery test runs against: a simulator in the test process, its own queue name
 * and key prefix, a plain BullMQ producer (BullMQ's default job options), and worker processes.
 * `close()` kills the workers and removes every key, whether the test passed or not.
 */
export class DeliveryHarness {
  readonly queueName = `test-${randomUUID()}`;
  readonly keyPrefix = uniquePrefix("worker");
  readonly fleet: WorkerFleet;
  readonly redis: Redis;
  readonly queue: Queue;

  private constructor(
    readonly sim: Simulator,
    /** Distinctive, so that the log scan means something. */
    readonly apiPassword: string,
    readonly redisUrl: string,
    private readonly options: DeliveryHarnessOptions,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on("error", () => undefined); // the Redis restart tests stop it on purpose
    this.queue = new Queue(this.queueName, { connection: this.redis });
    this.queue.on("error", () => undefined);
    this.fleet = new WorkerFleet(() => this.workerEnv());
  }

  static async start(options: DeliveryHarnessOptions = {}): Promise<DeliveryHarness> {
    const apiPassword = `api-pw-${randomUUID()}`;
    const sim = await startSimulator({
      port: 0,
      username: API_USERNAME,
      password: apiPassword,
      ...options.simulator,
    });
    return new DeliveryHarness(
      sim,
      apiPassword,
      options.privateRedisUrl ?? testRedisUrl(),
      options,
    );
  }

  workerEnv(settings: Record<string, string> = {}): Record<string, string> {
    return workerEnv({
      redisUrl: this.redisUrl,
      queueName: this.queueName,
      keyPrefix: this.keyPrefix,
      applianceUrl: this.sim.url,
      apiUsername: API_USERNAME,
      apiPassword: this.apiPassword,
      settings: { ...this.options.settings, ...settings },
    });
  }

  /**
   * Asks `status --json` (in this process, as it asks often) until it reports the fleet pause, and
   * returns it. Between two pauses a probe runs and status shows none: it asks again then.
   */
  async waitForPause(timeoutMs: number): Promise<Record<string, unknown>> {
    let pause: Record<string, unknown> | null = null;
    await waitUntil(
      async () => {
        pause = JSON.parse((await runCommand(["status", "--json"], this.workerEnv())).stdout).pause;
        return pause !== null;
      },
      { timeoutMs, what: "status showing the pause" },
    );
    return pause as unknown as Record<string, unknown>;
  }

  /** Enqueues as a plain producer does: any job name, BullMQ's default options. */
  async enqueue(jobs: readonly GuestJob[]): Promise<void> {
    for (let at = 0; at < jobs.length; at += 500) {
      await this.queue.addBulk(
        jobs.slice(at, at + 500).map((data) => ({ name: "deliver-credentials", data })),
      );
    }
  }

  async close(): Promise<void> {
    await this.fleet.killAll();
    keepLogs(this.fleet.output());
    await this.sim.close();
    if (!this.options.privateRedisUrl) {
      await deleteKeys(this.redis, `bull:${this.queueName}:`);
      await deleteKeys(this.redis, `bull:${this.queueName}-webhooks:`);
      await deleteKeys(this.redis, `${this.keyPrefix}:`);
    }
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** With COURIER_TEST_LOG_DIR set, each test's worker logs are kept there for a human to read. */
function keepLogs(text: string): void {
  const dir = process.env.COURIER_TEST_LOG_DIR;
  if (!dir) return;
  const name = (expect.getState().currentTestName ?? "test").replace(/[^a-zA-Z0-9-]+/g, "_");
  writeFileSync(join(dir, `${name.slice(0, 120)}.log`), text);
}

/** What a test starts through `closedAfterEach()`. */
export interface StartedPerTest {
  /** A Redis of the test's own, to stop and start under the workers. */
  privateRedis(options?: PrivateRedisOptions): Promise<PrivateRedis>;
  harness(options?: DeliveryHarnessOptions): Promise<DeliveryHarness>;
}

/**
 * Starts a test's harness and Redis of its own, and closes both after each test, whether it passed
 * or not: the harness first, so that its workers are gone before their Redis is.
 */
export function closedAfterEach(): StartedPerTest {
  let harness: DeliveryHarness | undefined;
  let redis: PrivateRedis | undefined;
  afterEach(async () => {
    await harness?.close();
    await redis?.destroy();
    harness = undefined;
    redis = undefined;
  });
  return {
    async privateRedis(options) {
      redis = await startPrivateRedis(options);
      return redis;
    },
    async harness(options) {
      harness = await DeliveryHarness.start(options);
      return harness;
    },
  };
}
