import { type Job, type Queue, Worker } from "bullmq";
import type Redis from "ioredis";
import { recordAccountOutcomes } from "../batches/account-counts";
import { batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import { describeRedis } from "../config/queue-target";
import { openHistoryWriter } from "../history/history-setup";
import { type JobFinish, recordOfJob } from "../history/record-of-job";
import { GUEST_ACCOUNTS_JOB_NAME, ONBOARDING_DELIVERY_PRIORITY } from "../jobs/guest-accounts-job";
import type { Logger } from "../logging/logger";
import { connectRedis } from "../redis/connection";
import { reportEvictionPolicy } from "../redis/memory-policy";
import { openQueue } from "../redis/queue";
import { startOutcomeWebhooks } from "../webhooks/outcome-webhooks";
import { connectAppliance } from "../wiring/appliance";
import { createFleetTokenManager } from "../wiring/fleet-token";
import { warnIfSecretsInPlaintext } from "../wiring/plaintext-warning";
import { deliveryProducerOn } from "../wiring/producer";
import { type AccountsResult, createAccountProcessor } from "./account-processor";
import { BatchCounters } from "./batch-counters";
import { BatchGate } from "./batch-gate";
import { FleetPause } from "./fleet-pause";
import type { WorkerObservers } from "./observers";
import { createDeliveryProcessor, type DeliveryResult } from "./processor";
import { settlesWithin } from "./settles-within";
import { WorkerPresence, workersKey } from "./worker-presence";

export interface RunningDeliveryWorker {
  worker: Worker;
  /** The queue it works on (to read its counts) and its Redis connection, open until `close()`. */
  queue: Queue;
  redis: Redis;
  /**
   * Stops fetching, lets deliveries in flight finish within SHUTDOWN_TIMEOUT, abandons those still
   * in flight then, and closes everything.
   */
  close(): Promise<void>;
}

/**
 * A delivery worker process: a BullMQ Worker on the credentials queue, the fleet's shared token,
 * and the AxelNAC client. Safe to run as many times as needed on as many hosts: the appliance
 * sees at most AXELNAC_MAX_IN_FLIGHT requests (BullMQ global concurrency) and one login per token death.
 */
export async function startDeliveryWorker(
  config: Config,
  logger: Logger,
  observers: WorkerObservers = {},
): Promise<RunningDeliveryWorker> {
  const { queue: queueSettings, delivery } = config;
  const appliance = await connectAppliance(config, logger, observers.exchange);
  const redis = connectRedis(config.redis, logger, "worker");
  const tokens = createFleetTokenManager(config, redis, appliance, logger, observers.login);
  const queue = openQueue(queueSettings, redis, logger);
  // Fleet-wide, idempotent: every worker sets the same value from the same setting.
  await queue.setGlobalConcurrency(delivery.maxInFlight);
  await reportEvictionPolicy(redis, config.redis.url, logger);

  const pause = new FleetPause({
    queue,
    redis,
    keyPrefix: config.redisKeyPrefix,
    initialPauseMs: 1_000,
    maxPauseMs: delivery.systemicPauseMaxMs,
    throttlePauseMaxMs: delivery.throttlePauseMaxMs,
    logger,
    workersHaveLimiter: delivery.rateLimit !== undefined,
    onJobHeldBack: observers.jobHeldBack,
  });
  await pause.releaseHold();
  const deliver = createDeliveryProcessor({
    send: (args, token) => appliance.client.sendUserCredentials(args, token),
    tokens,
    pause,
    policy: {
      attempts: delivery.attempts,
      backoffMs: delivery.backoffMs,
      backoffMaxMs: delivery.backoffMaxMs,
      retryAmbiguous: delivery.retryAmbiguous,
    },
    secrets: config.encryption,
    logger,
  });

  const deliveries = await deliveryProducerOn(config, redis, queue, logger);
  const keys = batchKeys(config.redisKeyPrefix, queueSettings.name);
  const createAccounts = createAccountProcessor({
    bulkImport: (request, token) => appliance.client.bulkImportUsers(request, token),
    getUser: (pid, token) => appliance.client.getUser(pid, token),
    tokens,
    pause,
    policy: {
      attempts: delivery.attempts,
      backoffMs: delivery.backoffMs,
      backoffMaxMs: delivery.backoffMaxMs,
      retryAmbiguous: true,
    },
    secrets: config.encryption,
    enqueueDeliveries: async (jobs) => {
      const { rejected } = await deliveries.enqueueMany(jobs, {
        priority: ONBOARDING_DELIVERY_PRIORITY,
      });
      const [first] = rejected;
      if (first) throw new Error(`a delivery of an onboarded guest was refused: ${first.reason}`);
    },
    recordAccounts: (batchId, outcomes) => recordAccountOutcomes(redis, keys, batchId, outcomes),
    logger,
  });
  const gate = new BatchGate(redis, keys, logger);
  const run = async (job: Job, lockToken?: string) => {
    // A paused batch's job is held back here (gate.admit throws BullMQ's DelayedError).
    if ((await gate.admit(job, lockToken)) === "cancelled") {
      logger.info({ jobId: job.id, outcome: "cancelled" }, "dropped: its batch was cancelled");
      return CANCELLED;
    }
    return job.name === GUEST_ACCOUNTS_JOB_NAME
      ? createAccounts(job, lockToken)
      : deliver(job, lockToken);
  };

  const worker = new Worker<unknown, DeliveryResult | AccountsResult | typeof CANCELLED>(
    queueSettings.name,
    observers.jobs?.track(run) ?? run,
    {
      connection: redis,
      prefix: queueSettings.prefix,
      concurrency: delivery.concurrency,
      limiter: delivery.rateLimit
        ? { max: delivery.rateLimit.max, duration: delivery.rateLimit.durationMs }
        : undefined,
      // The job holds the guest's password, sealed or not: once delivered it has no reason to stay in Redis.
      removeOnComplete: { count: 0 },
      removeOnFail: { age: Math.ceil(delivery.failedRetentionMs / 1_000) },
      lockDuration: delivery.lockDurationMs,
      // A dead worker's jobs are noticed within one lock duration, not BullMQ's default 30 s check.
      stalledInterval: delivery.lockDurationMs,
      // A job whose worker died goes back to waiting; only a job that keeps killing workers fails.
      maxStalledCount: 5,
    },
  );
  observers.jobs?.watch(worker); // before the first await: the worker is already taking jobs
  const counters = new BatchCounters(redis, keys, logger);
  // Outcome webhooks: a queue and a BullMQ Worker of their own (src/webhooks/).
  const webhooks = startOutcomeWebhooks(config, redis, logger);
  webhooks.follow(worker);
  const presence = new WorkerPresence(
    redis,
    workersKey(config.redisKeyPrefix, queueSettings.name),
    logger,
  );
  const history = openHistoryWriter(redis, config, logger);
  /**
   * A delivery job finished for good: its record, built once, goes to the history and, for a job
   * an API key added, to that key's webhook (a cancelled delivery is not announced).
   */
  const finished = (job: Job, finish: JobFinish) => {
    counters.record(job, finish.outcome);
    const announced = finish.outcome !== "cancelled" && isSubmitted(job);
    if (!history && !announced) return;
    const record = recordOfJob(job, finish);
    history?.add(record);
    if (announced) webhooks.notify(record);
  };
  // An onboarding job counts its guests itself (account-counts.ts); its SMS are jobs of their own.
  const isDelivery = (job: Job) => job.name !== GUEST_ACCOUNTS_JOB_NAME;
  worker.on("active", (job) => {
    if (isDelivery(job)) counters.taken(job);
  });
  worker.on("completed", (job, result) => {
    if (!isDelivery(job)) return;
    finished(
      job,
      result === CANCELLED
        ? { outcome: "cancelled" }
        : { outcome: "delivered", result: result as DeliveryResult },
    );
  });
  worker.on("failed", (job, error) => {
    // BullMQ also emits "failed" before retrying a job whose producer asked for attempts > 1;
    // only a job that has finished (finishedOn set) is a failed delivery.
    if (job?.finishedOn && isDelivery(job)) finished(job, { outcome: "failed", error });
    // The processor already logged the outcomes it decided; this catches BullMQ's own (stalled too often).
    if (!job || error.name === "UnrecoverableError") return;
    logger.error(
      { jobId: job.id, pid: job.data && (job.data as { pid?: unknown }).pid, outcome: "failed" },
      error.message,
    );
  });
  worker.on("error", (error: NodeJS.ErrnoException) => {
    // Connection trouble is reported once by connectRedis; anything else is worth seeing.
    if (isConnectionError(error)) return;
    logger.warn({ err: error }, `worker error: ${error.message}`);
  });
  // Only once every listener is on: the worker is already taking jobs, and a job taken or
  // finished during this round trip would otherwise go uncounted and unrecorded.
  await presence.beat();
  warnIfSecretsInPlaintext(config, logger);
  logger.info(
    {
      redis: describeRedis(config.redis.url),
      queue: queueSettings.name,
      queuePrefix: queueSettings.prefix,
      concurrency: delivery.concurrency,
      maxInFlight: delivery.maxInFlight,
      appliance: appliance.url,
      encryptionKey: config.encryption.ring?.activeId,
    },
    "delivery worker started",
  );

  /** Closes what the worker opened; `abandon`: without waiting for anything still in flight. */
  const closeConnections = async (abandon: boolean) => {
    await counters.close();
    await history?.close();
    await webhooks.close(abandon);
    await presence.stop();
    await queue.close();
    await tokens.close();
    if (abandon) {
      // Redis first: an abandoned delivery then records nothing on its way out (no retry, no
      // fleet pause for a failure of our own making) and is retried like a crashed worker's.
      // Then the appliance's connections: no answer still awaited can hold the process.
      redis.disconnect();
      await appliance.destroy();
      return;
    }
    await appliance.close();
    redis.disconnect();
  };

  return {
    worker,
    queue,
    redis,
    close: async () => {
      logger.info(
        { timeoutMs: delivery.shutdownTimeoutMs },
        "stopping: no new jobs; waiting for deliveries in flight",
      );
      const graceful = worker.close();
      if (await settlesWithin(graceful, delivery.shutdownTimeoutMs)) {
        await closeConnections(false);
      } else {
        // BullMQ's close, once begun, waits for the jobs in flight whatever it is asked later
        // (close(true) returns the same promise): the worker stops them itself.
        logger.warn(
          "deliveries still in flight after SHUTDOWN_TIMEOUT: abandoned, their connections cut; they return to waiting once their lock runs out (WORKER_LOCK_DURATION)",
        );
        await closeConnections(true);
        await settlesWithin(graceful, ABANDONED_DELIVERIES_GRACE_MS).catch(() => undefined);
      }
      logger.info("delivery worker stopped");
    },
  };
}

/** A job added through the HTTP API, whose key may want its outcome. */
function isSubmitted(job: Job): boolean {
  return typeof (job.data as { submitted_by?: unknown } | undefined)?.submitted_by === "string";
}

/** A job of a cancelled batch, dropped undelivered: completed (and so removed) but not delivered. */
export const CANCELLED = { cancelled: true } as const;

/** How long BullMQ is given to notice the abandoned deliveries end, and close its own connection. */
const ABANDONED_DELIVERIES_GRACE_MS = 1_000;

function isConnectionError(error: NodeJS.ErrnoException): boolean {
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(
      error.code ?? "",
    ) || /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(error.message)
  );
}
