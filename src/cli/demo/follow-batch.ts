import { type BatchStatus, isSettled } from "../../batches/batch-status";
import { RateMeter } from "../progress-bar";
import { batchProgress, finishedCount, REDRAW, watchBatch } from "../watch-batch";

export interface FollowOptions {
  /** A progress bar redrawn in place; otherwise one plain line per `lineIntervalMs`. */
  terminal: boolean;
  /** Stops following (Ctrl-C); the last status read is returned. */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  lineIntervalMs?: number;
}

/** Reads a batch's status until nothing is left to deliver, showing how far it is. */
export function followBatch(
  read: () => Promise<BatchStatus>,
  out: NodeJS.WritableStream,
  options: FollowOptions,
): Promise<BatchStatus> {
  const { terminal, signal, pollIntervalMs = 200, lineIntervalMs = 1_000 } = options;
  const rate = new RateMeter(5_000);
  let lastLine = 0;
  let lastFinished = -1;
  let perSecond = 0;
  return watchBatch({
    read,
    intervalMs: pollIntervalMs,
    signal,
    onUpdate: (status, last) => {
      const finished = finishedCount(status);
      // Workers write their counts once a second: between two writes the count stands still,
      // which is no slowdown; the rate moves only when the count does.
      if (finished !== lastFinished) {
        perSecond = rate.add(finished);
        lastFinished = finished;
      }
      if (terminal) {
        out.write(`${REDRAW}  ${batchProgress(status, perSecond)}`);
        if (last) out.write("\n");
      } else if (isSettled(status) || Date.now() - lastLine >= lineIntervalMs) {
        lastLine = Date.now();
        out.write(
          `  delivered ${status.delivered}/${status.total}  failed ${status.failed}  in flight ${status.active}  waiting ${status.waiting + status.delayed}  ${Math.round(perSecond)}/s\n`,
        );
      }
    },
  });
}
