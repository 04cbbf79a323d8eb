import type { Config } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import { createCommandLogger, type LogFormat } from "../logging/logger";
import {
  connectOperator,
  type OperatorConnections,
  type OperatorOptions,
} from "../wiring/operator";
import { type CommandIo, reportFailure } from "./io";

export interface OperatorCommandOptions extends OperatorOptions {
  /** How the command's log lines on stderr are written (LOG_FORMAT); JSON when not given. */
  logFormat?: LogFormat;
}

/**
 * The body of an operator's command on the queue: says on stderr which Redis and queue it works
 * on, connects, runs `work`, and closes the connections whatever happened. An error `refuse`
 * answers (an unknown batch, a bad input found in Redis) gets its exit code; any other is the one
 * `failed: CODE: …` line, exit 1.
 */
export async function onOperator(
  config: Config,
  io: CommandIo,
  { logFormat, ...options }: OperatorCommandOptions,
  work: (operator: OperatorConnections) => Promise<number>,
  refuse: (error: unknown) => number | undefined = () => undefined,
): Promise<number> {
  io.stderr.write(`${describeQueueTarget(config)}\n`);
  const logger = createCommandLogger(config.log.level, io.stderr, logFormat);
  let operator: OperatorConnections | undefined;
  try {
    operator = await connectOperator(config, logger, options);
    return await work(operator);
  } catch (error) {
    return refuse(error) ?? reportFailure(io, error);
  } finally {
    await operator?.close();
  }
}
