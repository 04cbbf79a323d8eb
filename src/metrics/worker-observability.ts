/**
 * A delivery worker's metrics and health checks, when METRICS_PORT is set: the courier's metrics
 * fed by the worker's hooks, the queue's counts and the fleet pause read at scrape time, and
 * /readyz ready while Redis answers and the worker runs, until a stop is asked for.
 */
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import type { WorkerLifecycle } from "../worker/run-until-stopped";
import type { RunningDeliveryWorker } from "../worker/start";
import { createCourierMetrics } from "./courier-metrics";
import { startObservabilityServer } from "./metrics-server";
import { registerQueueGauges } from "./queue-gauges";
import { queueReading } from "./queue-reading";
import { createReadiness, type ReadinessCheck, redisAnswers } from "./readiness";
import { workerObservers } from "./worker-observers";

export interface WorkerObservability {
  /** Hand it to runDeliveryWorkerUntilStopped. */
  lifecycle: WorkerLifecycle;
  /** Stops serving; once the worker has stopped. */
  close(): Promise<void>;
}

/** Starts serving /metrics, /livez and /readyz; undefined when METRICS_PORT is unset. */
export async function startWorkerObservability(
  config: Config,
  logger: Logger,
): Promise<WorkerObservability | undefined> {
  const { port, host } = config.metrics;
  if (port === undefined) return undefined;
  const metrics = createCourierMetrics();
  let running: RunningDeliveryWorker | undefined;

  registerQueueGauges(
    metrics.registry,
    queueReading(config, () => running),
  );

  const workerRuns: ReadinessCheck = async () => {
    if (!running) return { ok: false, detail: "starting" };
    return running.worker.isRunning()
      ? { ok: true, detail: "running" }
      : { ok: false, detail: "not running" };
  };
  const readiness = createReadiness({
    redis: redisAnswers(() => running?.redis),
    worker: workerRuns,
  });
  const server = await startObservabilityServer({
    host,
    port,
    registry: metrics.registry,
    readiness,
  });
  logger.info({ url: server.url }, "serving /metrics, /livez and /readyz");

  return {
    lifecycle: {
      observers: workerObservers(metrics),
      started(worker) {
        running = worker;
      },
      stopping: () => readiness.stop(),
    },
    close: () => server.close(),
  };
}
