import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import type { WorkerObservers } from "./observers";
import { settlesWithin } from "./settles-within";
import { type RunningDeliveryWorker, startDeliveryWorker } from "./start";

/** Beyond SHUTDOWN_TIMEOUT, what closing the connections may take before the worker gives up on it. */
export const STOP_MARGIN_MS = 5_000;

/**
 * After the worker has stopped, how long the process may take to end by itself before it is
 * ended: a connection that would not close must not keep a stopped worker's process alive.
 */
const EXIT_GRACE_MS = 1_000;

/** What watches a worker through its life (metrics and health checks), all optional. */
export interface WorkerLifecycle {
  observers?: WorkerObservers;
  /** Once the worker has started. */
  started?(running: RunningDeliveryWorker): void;
  /** The moment a stop is asked for, before the worker begins to stop. */
  stopping?(reason: string): void;
}

/**
 * Runs a delivery worker until SIGTERM, SIGINT or `stop` aborts, then lets the deliveries in
 * flight finish (within SHUTDOWN_TIMEOUT) and closes everything. Every process entry point that
 * runs a worker (the CLI's `worker` command, `workers/delivery-worker`) goes through here.
 * Resolves true once everything is closed, false if closing took SHUTDOWN_TIMEOUT and
 * STOP_MARGIN_MS and was given up on.
 */
export async function runDeliveryWorkerUntilStopped(
  config: Config,
  logger: Logger,
  stop?: AbortSignal,
  lifecycle: WorkerLifecycle = {},
): Promise<boolean> {
  const running = await startDeliveryWorker(config, logger, lifecycle.observers);
  lifecycle.started?.(running);
  const signal = await untilStopped(stop);
  lifecycle.stopping?.(signal);
  logger.info({ signal }, "shutdown requested");
  const limitMs = config.delivery.shutdownTimeoutMs + STOP_MARGIN_MS;
  const stopped = await settlesWithin(running.close(), limitMs);
  if (!stopped) {
    logger.error(
      { limitMs },
      "the worker could not close everything within SHUTDOWN_TIMEOUT and a margin: exiting anyway",
    );
  }
  return stopped;
}

/**
 * For a process that ran a worker and is done: exits with `code` once nothing holds the process,
 * or after EXIT_GRACE_MS whatever still does.
 */
export function exitOnceStopped(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

/** Resolves with the signal's name (or "abort") once SIGTERM, SIGINT or `stop` asks to stop. */
export function untilStopped(stop?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      resolve(reason);
    };
    const onTerm = () => finish("SIGTERM");
    const onInt = () => finish("SIGINT");
    process.once("SIGTERM", onTerm);
    process.once("SIGINT", onInt);
    stop?.addEventListener("abort", () => finish("abort"), { once: true });
  });
}
