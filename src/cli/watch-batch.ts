import { type BatchStatus, isSettled } from "../batches/batch-status";
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
}

/** Re-reads a batch's status until nothing is left to deliver or the watch is stopped. */
export async function watchBatch<S extends BatchStatus>(watch: BatchWatch<S>): Promise<S> {
  for (;;) {
    const status = await watch.read();
    const last = isSettled(status) || watch.signal?.aborted === true;
    watch.onUpdate(status, last);
    if (last) return status;
    await pause(watch.intervalMs, watch.signal);
  }
}

/** Erases the terminal's current line, for a bar redrawn in place. */
export const REDRAW = "\x1b[2K\r";

/** The deliveries done with, either way: what a batch's progress counts. */
export function finishedCount(status: BatchStatus): number {
  return status.delivered + status.failed;
}

/** `[██████░░░░]  64%  640/1000  120/s ETA 3s  failed 2` */
export function batchProgress(status: BatchStatus, perSecond: number): string {
  return `${progressBar(finishedCount(status), status.total, perSecond)}  failed ${status.failed}`;
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
