import { type BatchStatus, isSettled } from "../batches/batch-status";
import { RedisUnreachableError } from "../redis/answer-within";
import { progressBar } from "./progress-bar";

export interface BatchWatch<S extends BatchStatus = BatchStatus> {
  /** The status of the batch (or of the whole queue) as it is now. */
  read(): Promise<S>;
  /** The pause between two reads. */
  intervalMs: number;
  /** Ends the watch (Ctrl-C) at once, even in the middle of a pause. */
  signal?: AbortSignal;
  /** Every status read, to show; `last` when no read follows (settled, or stopped). */
  onUpdate(status: S, last: boolean): void;
  /**
   * Redis did not answer a read: the watch reads again at the next interval. Called once per
   * outage; `onRedisBack` when a read succeeds again. Without it, the error ends the watch.
   */
  onRedisUnreachable?(error: RedisUnreachableError): void;
  onRedisBack?(): void;
}

/**
 * Re-reads a batch's status until nothing is left to deliver or the watch is stopped. A watch is
 * left running on a screen: Redis going away (a restart, a failover) is said, and outlived.
 */
export async function watchBatch<S extends BatchStatus>(watch: BatchWatch<S>): Promise<S> {
  let unreachable = false;
  for (;;) {
    let status: S;
    try {
      status = await watch.read();
    } catch (error) {
      const outlive = error instanceof RedisUnreachableError && watch.onRedisUnreachable;
      if (!outlive || watch.signal?.aborted) throw error;
      if (!unreachable) watch.onRedisUnreachable?.(error);
      unreachable = true;
      await pause(watch.intervalMs, watch.signal);
      continue;
    }
    if (unreachable) watch.onRedisBack?.();
    unreachable = false;
    const last = isSettled(status) || watch.signal?.aborted === true;
    watch.onUpdate(status, last);
    if (last) return status;
    await pause(watch.intervalMs, watch.signal);
  }
}

/** Erases the terminal's current line, for a bar redrawn in place. */
export const REDRAW = "\x1b[2K\r";

/** The deliveries done with, either way: how fast the workers get through a batch. */
export function finishedCount(status: BatchStatus): number {
  return status.delivered + status.failed;
}

/**
 * `[██████░░░░]  64%  640/1000  120/s ETA 3s  failed 2`: the bar and the share count what was
 * delivered; a failed delivery is not done, and is shown beside it.
 */
export function batchProgress(status: BatchStatus, perSecond: number, now = Date.now()): string {
  const remaining = {
    ready: status.waiting + status.active,
    delayed: status.delayed,
    nextDueInMs: status.nextDueAt === undefined ? undefined : Date.parse(status.nextDueAt) - now,
  };
  return `${progressBar(status.delivered, status.total, perSecond, remaining)}  failed ${status.failed}`;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
