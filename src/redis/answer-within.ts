import { redactRedisUrl } from "./connection";

/**
 * Redis did not answer in time, or closed the connection under a command. A connection whose
 * commands wait for a reconnection (what a worker wants) would otherwise leave a one-shot command
 * waiting forever.
 */
export class RedisUnreachableError extends Error {
  override name = "RedisUnreachableError";
  readonly code = "COURIER_REDIS_UNREACHABLE";

  static timedOut(url: string, timeoutMs: number): RedisUnreachableError {
    const wait = timeoutMs % 1_000 === 0 ? `${timeoutMs / 1_000} s` : `${timeoutMs} ms`;
    return new RedisUnreachableError(
      `Redis at ${redactRedisUrl(url)} did not answer within ${wait}`,
    );
  }

  /** The connection closed under the command: whether Redis ran it is unknown. */
  static wentAway(url: string | undefined, cause: unknown): RedisUnreachableError {
    const where = url === undefined ? "Redis" : `Redis at ${redactRedisUrl(url)}`;
    return new RedisUnreachableError(`${where} went away: ${(cause as Error).message}`);
  }
}

/** ioredis' answer to a command whose connection closed before the reply came. */
export function isConnectionLoss(error: unknown): boolean {
  const { message = "" } = error as { message?: string };
  return /Connection is closed|aborted due to connection close/i.test(message);
}

/** How long a Redis operation may take, and the URL to name when it takes longer. */
export interface AnswerDeadline {
  timeoutMs: number;
  url: string;
}

/**
 * The operation's result, or a RedisUnreachableError once the deadline has passed or when the
 * connection closes under it; without a deadline, the operation itself. The operation is not
 * cancelled: the caller disconnects.
 */
export function answerWithin<T>(operation: Promise<T>, deadline?: AnswerDeadline): Promise<T> {
  if (!deadline) return operation;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(RedisUnreachableError.timedOut(deadline.url, deadline.timeoutMs)),
      deadline.timeoutMs,
    );
  });
  const answered = operation.catch((error: unknown) => {
    throw isConnectionLoss(error) ? RedisUnreachableError.wentAway(deadline.url, error) : error;
  });
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}
