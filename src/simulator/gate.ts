/** Ends one request's turn; calling it again does nothing. */
export type Release = () => void;

/** Raised to a waiter whose client went away before its turn came. */
export class GateAbandonedError extends Error {
  override name = "GateAbandonedError";
  readonly code = "SIMULATOR_GATE_ABANDONED";
}

interface Waiter {
  admit(): void;
}

/**
 * At most `capacity` requests are served at once and the rest wait in arrival order, as on the
 * appliance, whose 8 API worker processes queue what they cannot take (pfperl_api_processes).
 */
export class ConcurrencyGate {
  #serving = 0;
  readonly #queue: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly onServingChange: (serving: number) => void = () => {},
  ) {}

  get serving(): number {
    return this.#serving;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with a release once it is this request's turn; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new GateAbandonedError("request abandoned"));
    if (this.#serving < this.capacity && this.#queue.length === 0) {
      return Promise.resolve(this.#admit());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(new GateAbandonedError("request abandoned while waiting at the gate"));
      };
      const waiter: Waiter = {
        admit: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#admit());
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #admit(): Release {
    this.#serving += 1;
    this.onServingChange(this.#serving);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#serving -= 1;
      this.onServingChange(this.#serving);
      this.#queue.shift()?.admit();
    };
  }
}
