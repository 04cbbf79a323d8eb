import { loadConfig, requireAppliance } from "../config/config";
import { createLogger } from "../logging/logger";
import { startWorkerObservability } from "../metrics/worker-observability";
import { exitOnceStopped, runDeliveryWorkerUntilStopped } from "../worker/run-until-stopped";
import { noArguments, readArguments } from "./command";
import { type CommandIo, EXIT } from "./io";

export const WORKER_USAGE = `usage: axelnac-courier worker

Delivers the credential jobs of QUEUE_NAME through AxelNAC until SIGTERM or SIGINT, then lets the
deliveries in flight finish (within SHUTDOWN_TIMEOUT; those still in flight then are abandoned and
retried later) and exits 0. Run as many as you need, on as
many hosts: they share one API token and at most AXELNAC_MAX_IN_FLIGHT requests reach the appliance.
AXELNAC_URL is required: the appliance's API origin, or "simulator" for a built-in simulator in this
process (no real SMS is sent). Settings: README or .env.example.`;

export async function runWorker(
  argv: string[],
  io: CommandIo,
  stop?: AbortSignal,
): Promise<number> {
  const parsed = readArguments(argv, io, noArguments("worker", WORKER_USAGE));
  if ("exit" in parsed) return parsed.exit;
  const config = loadConfig();
  requireAppliance(config);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const observability = await startWorkerObservability(config, logger);
  const stopped = await runDeliveryWorkerUntilStopped(
    config,
    logger,
    stop,
    observability?.lifecycle,
  ).finally(() => observability?.close());
  const code = stopped ? EXIT.ok : EXIT.failed;
  // Stopped by the process' signals: this process is the worker's, and ends now.
  if (!stop) exitOnceStopped(code);
  return code;
}
