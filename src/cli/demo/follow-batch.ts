import { type BatchStatus, isSettled } from "../../batches/batch-status";
import { progressBar, RateMeter } from "../progress-bar";

export interface FollowOptions {
  /** A progress bar redrawn in place; otherwise one plain line per `lineIntervalMs`. */
  terminal: boolean;
  /** Stops following (Ctrl-C); the last status read is returned. */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  lineIntervalMs?: number;
}

/** Reads a batch's status until nothing is left to deliver, showing how far it is. */
export async function followBatch(
  read: () => Promise<BatchStatus>,
  out: NodeJS.WritableStream,
  options: FollowOptions,
): Promise<BatchStatus> {
  const { terminal, signal, pollIntervalMs = 200, lineIntervalMs = 1_000 } = options;
  const rate = new RateMeter(5_000);
  let lastLine = 0;
  let lastFinished = -1;
  let perSecond = 0;
  for (;;) {
    const status = await read();
    const finished = status.delivered + status.failed;
    // Workers write their counts once a second: between two writes the count stands still,
    // which is no slowdown; the rate moves only when the count does.
    if (finished !== lastFinished) {
      perSecond = rate.add(finished);
      lastFinished = finished;
    }
    const settled = isSettled(status);
    if (terminal) {
      out.write(
        `\x1b[2K\r  ${progressBar(finished, status.total, perSecond)}  failed ${status.failed}`,
      );
      if (settled || signal?.aborted) out.write("\n");
    } else if (settled || Date.now() - lastLine >= lineIntervalMs) {
      lastLine = Date.now();
      out.write(
        `  delivered ${status.delivered}/${status.total}  failed ${status.failed}  in flight ${status.active}  waiting ${status.waiting + status.delayed}  ${Math.round(perSecond)}/s\n`,
      );
    }
    if (settled || signal?.aborted) return status;
    await pause(pollIntervalMs, signal);
  }
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
