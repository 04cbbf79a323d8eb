/**
 * The delivery worker as a process of its own, for a process manager or a container that runs
 * `node dist/workers/delivery-worker.js` rather than the CLI. Configuration, logger and signals
 * only: the worker itself lives in src/worker/, shared with `axelnac-courier worker`.
 */
import { ConfigError, loadConfig, requireAppliance } from "../src/config/config";
import { createLogger } from "../src/logging/logger";
import { startWorkerObservability } from "../src/metrics/worker-observability";
import { exitOnceStopped, runDeliveryWorkerUntilStopped } from "../src/worker/run-until-stopped";

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
    requireAppliance(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const observability = await startWorkerObservability(config, logger);
  const stopped = await runDeliveryWorkerUntilStopped(
    config,
    logger,
    undefined,
    observability?.lifecycle,
  ).finally(() => observability?.close());
  return stopped ? 0 : 1;
}

main().then(
  (code) => exitOnceStopped(code),
  (error: unknown) => {
    process.stderr.write(
      `delivery-worker: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
