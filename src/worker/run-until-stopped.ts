import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { startDeliveryWorker } from "./start";

/**
 * Runs a delivery worker until SIGTERM, SIGINT or `stop` aborts, then lets the deliveries in
 * flight finish (within SHUTDOWN_TIMEOUT) and closes everything. Every process entry point that
 * runs a worker (the CLI's `worker` command, `workers/delivery-worker`) goes through here.
 */
export async function runDeliveryWorkerUntilStopped(
  config: Config,
  logger: Logger,
  stop?: AbortSignal,
): Promise<void> {
  const running = await startDeliveryWorker(config, logger);
  const signal = await untilStopped(stop);
  logger.info({ signal }, "shutdown requested");
  await running.close();
}

function untilStopped(stop?: AbortSignal): Promise<string> {
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
