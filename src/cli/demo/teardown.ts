/**
 * What a demo started, to be stopped in reverse order whatever happened: a failing step must not
 * leave a worker, the simulator or a private Redis running, nor stop the steps after it.
 */
export class Teardown {
  readonly #steps: { what: string; run: () => Promise<unknown> | unknown }[] = [];

  add(what: string, run: () => Promise<unknown> | unknown): void {
    this.#steps.push({ what, run });
  }

  /** Runs every step, last added first; returns the problems instead of throwing. */
  async run(): Promise<string[]> {
    const problems: string[] = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        problems.push(`${step.what}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}
