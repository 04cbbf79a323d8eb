import { loadConfig } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import { createLogger } from "../logging/logger";
import type { RunningServer } from "../serve/server";
import { exitOnceStopped, STOP_MARGIN_MS, untilStopped } from "../worker/run-until-stopped";
import { settlesWithin } from "../worker/settles-within";
import { noArguments, readArguments } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";

export const SERVE_USAGE = `usage: axelnac-courier serve

Runs the HTTP API until SIGTERM or SIGINT: upstream systems enqueue guests' deliveries
(POST /v1/deliveries) and ask where each stands (GET /v1/deliveries/{id}) with an API key
(\`axelnac-courier api-keys create\`). The OpenAPI document is at /openapi.json, browsable at /docs.
Listens on SERVE_HOST:SERVE_PORT (127.0.0.1:8080), HTTPS with SERVE_TLS_CERT_FILE and
SERVE_TLS_KEY_FILE. On SIGTERM it stops accepting, lets the requests in flight finish (within
SHUTDOWN_TIMEOUT) and exits 0. Run as many as you need: they share the rate limit's counts.
Settings: README, "HTTP API (serve)".`;

export async function runServe(argv: string[], io: CommandIo, stop?: AbortSignal): Promise<number> {
  const parsed = readArguments(argv, io, noArguments("serve", SERVE_USAGE));
  if ("exit" in parsed) return parsed.exit;
  const config = loadConfig();
  io.stderr.write(`${describeQueueTarget(config)}\n`);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  let server: RunningServer;
  try {
    // Loaded here: Fastify and its plugins would slow every other command's start.
    const { startServer } = await import("../serve/server.js");
    server = await startServer(config, logger);
  } catch (error) {
    return reportFailure(io, error);
  }
  const signal = await untilStopped(stop);
  logger.info({ signal }, "shutdown requested: finishing the requests in flight");
  const limitMs = config.delivery.shutdownTimeoutMs + STOP_MARGIN_MS;
  const stopped = await settlesWithin(server.stop(), limitMs);
  if (stopped) logger.info("HTTP API stopped");
  else logger.error({ limitMs }, "requests still in flight after SHUTDOWN_TIMEOUT: exiting anyway");
  const code = stopped ? EXIT.ok : EXIT.failed;
  if (!stop) exitOnceStopped(code);
  return code;
}
