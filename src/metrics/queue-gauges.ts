/**
 * Gauges read at scrape time rather than kept up to date: how many jobs the queue holds in each
 * state, and whether the fleet is paused. Both are the fleet's, not this process's: every worker
 * reports the same values (take `max` across them).
 */
import { Gauge, type Registry } from "prom-client";
import type { PauseCause } from "../worker/fleet-pause-record";
import { METRIC_PREFIX } from "./courier-metrics";

/** The states a credentials job can be in (completed jobs are removed at once). */
export const QUEUE_STATES = ["waiting", "prioritized", "delayed", "active", "failed"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

const PAUSE_CAUSES: readonly PauseCause["cause"][] = ["throttled", "unavailable"];

export interface QueueReading {
  counts: Partial<Record<QueueState, number>>;
  /** Why the fleet is paused now, or null. */
  pause: PauseCause["cause"] | null;
}

/**
 * Registers the gauges on `registry`. `read` resolves to undefined when no reading came in time
 * (Redis away): the gauges then show no sample rather than stale values.
 */
export function registerQueueGauges(
  registry: Registry,
  read: () => Promise<QueueReading | undefined>,
): void {
  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: "Jobs in the credentials queue, by state (the fleet's queue: every worker reports the same)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const reading = await read();
      this.reset();
      if (!reading) return;
      for (const state of QUEUE_STATES) this.set({ state }, reading.counts[state] ?? 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}fleet_paused`,
    help: "1 while every worker of the fleet is held back, by cause (throttled: the appliance asked to slow down; unavailable: it serves no one), else 0",
    labelNames: ["cause"],
    registers: [registry],
    async collect() {
      const reading = await read();
      this.reset();
      if (!reading) return;
      for (const cause of PAUSE_CAUSES) this.set({ cause }, reading.pause === cause ? 1 : 0);
    },
  });
}
