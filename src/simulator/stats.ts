import type { SimulatorStats } from "./types";

export type Counter =
  | "logins"
  | "loginFailures"
  | "sendRequests"
  | "sent"
  | "unauthorized"
  | "forbidden";

/** Counters and gauges behind `Simulator.stats()`. */
export class StatsRecorder {
  #counters = zeroCounters();
  #responses: Record<string, number> = {};
  #inFlight = 0;
  #peakInFlight = 0;
  #serving = 0;
  #peakServing = 0;

  count(counter: Counter): void {
    this.#counters[counter] += 1;
  }

  response(status: number): void {
    const key = String(status);
    this.#responses[key] = (this.#responses[key] ?? 0) + 1;
  }

  /** An API request arrived; it counts until answered or abandoned, waiting or not. */
  received(): void {
    this.#inFlight += 1;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
  }

  answered(): void {
    this.#inFlight -= 1;
  }

  serving(now: number): void {
    this.#serving = now;
    this.#peakServing = Math.max(this.#peakServing, now);
  }

  snapshot(): SimulatorStats {
    return {
      ...this.#counters,
      responses: { ...this.#responses },
      inFlight: this.#inFlight,
      peakInFlight: this.#peakInFlight,
      peakServing: this.#peakServing,
    };
  }

  /** Zeroes the counters; the live gauges stay and the peaks restart from them. */
  reset(): void {
    this.#counters = zeroCounters();
    this.#responses = {};
    this.#peakInFlight = this.#inFlight;
    this.#peakServing = this.#serving;
  }
}

function zeroCounters(): Record<Counter, number> {
  return { logins: 0, loginFailures: 0, sendRequests: 0, sent: 0, unauthorized: 0, forbidden: 0 };
}
