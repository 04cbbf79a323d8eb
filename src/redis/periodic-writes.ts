/**
 * Writes of what a worker gathers in memory (batch counts, history records, webhook events), made
 * every `intervalMs` and on close, one at a time and in order: a second's worth of jobs reaches
 * Redis in one pipeline instead of a round trip per job. The timer does not keep the process alive.
 */
export class PeriodicWrites {
  readonly #write: () => Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #writing: Promise<void> = Promise.resolve();

  constructor(write: () => Promise<void>, intervalMs: number) {
    this.#write = write;
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Writes what has gathered, after any write still under way. */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  /** No more timed writes; the last one is made now. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
