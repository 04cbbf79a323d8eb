import type { Job, Worker } from "bullmq";
import type { ExchangeObserver } from "../axelnac";
import type { TokenManagerOptions } from "../token";
import type { FleetPauseOptions } from "./fleet-pause";

/** A BullMQ processor, as the worker runs it. */
export type JobProcessor<T> = (job: Job, lockToken?: string) => Promise<T>;

/** What sees the worker's jobs come and go: wraps the processor, listens to the worker's events. */
export interface JobObserver {
  /** The processor to run instead of `run`: the same, observed while it runs. */
  track<T>(run: JobProcessor<T>): JobProcessor<T>;
  /** Called once, before the worker takes its first job. */
  watch(worker: Worker): void;
}

/**
 * Optional hooks a delivery worker calls where things happen: each exchange with the appliance,
 * each login, each job held back by a fleet pause, each job's run. Metrics plug in here, so the
 * processors carry no metric code.
 */
export interface WorkerObservers {
  exchange?: ExchangeObserver;
  login?: TokenManagerOptions["onLogin"];
  jobHeldBack?: FleetPauseOptions["onJobHeldBack"];
  jobs?: JobObserver;
}
