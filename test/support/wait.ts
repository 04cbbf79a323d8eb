export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout's message. */
  what?: string;
  /** Extra context for the timeout's message (counts, log tail), computed only on failure. */
  describe?: () => unknown;
}

/** Polls `condition` until it holds; an error thrown by `condition` ends the wait at once. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const { timeoutMs = 15_000, intervalMs = 25, what = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const context = options.describe ? await options.describe() : undefined;
      const detail =
        context === undefined
          ? ""
          : `\n${typeof context === "string" ? context : JSON.stringify(context)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
