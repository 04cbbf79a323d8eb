/**
 * The courier's Prometheus metrics, on a registry of their own (not prom-client's global one), so
 * that a process, or a test, may hold several. Names start with `axelnac_courier_`; Node's
 * default metrics keep their usual names, which ready-made dashboards expect. No label ever holds
 * a pid, a batch or a job id: every label takes a value from a small fixed set.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export const METRIC_PREFIX = "axelnac_courier_";

/** The appliance answers in milliseconds to seconds; a request is cut at AXELNAC_REQUEST_TIMEOUT (30 s). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A guest may wait from under a second (an idle fleet) to hours (a large batch, an outage). */
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1_800, 3_600, 14_400];

export interface CourierMetrics {
  registry: Registry;
  /** outcome: delivered, failed, cancelled, retried; code: the outcome code of a failure or retry. */
  deliveries: Counter<"outcome" | "code">;
  /** operation: login, send_user_credentials, get_user, bulk_import, token_info. */
  applianceRequests: Histogram<"operation" | "status">;
  deliveryLatency: Histogram<string>;
  /** result: ok, or the failed login's code. */
  logins: Counter<"result">;
  /** cause: throttled or unavailable; code: the outcome code that paused the fleet. */
  heldBack: Counter<"cause" | "code">;
  jobsInFlight: Gauge<string>;
}

export function createCourierMetrics(): CourierMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: CourierMetrics = {
    registry,
    deliveries: new Counter({
      name: `${METRIC_PREFIX}deliveries_total`,
      help: "Delivery jobs finished by this worker, by outcome (delivered, failed, cancelled: dropped with its batch; retried: an attempt failed and a retry is scheduled) and outcome code (failed, retried)",
      labelNames: ["outcome", "code"],
      registers,
    }),
    applianceRequests: new Histogram({
      name: `${METRIC_PREFIX}appliance_request_duration_seconds`,
      help: "Requests to the AxelNAC API, by operation and status: the HTTP status, or timeout, reset, unreachable when no complete answer came",
      labelNames: ["operation", "status"],
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    deliveryLatency: new Histogram({
      name: `${METRIC_PREFIX}delivery_latency_seconds`,
      help: "From a delivery job's enqueueing (or its send-at time) to the appliance accepting it",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    logins: new Counter({
      name: `${METRIC_PREFIX}logins_total`,
      help: "Logins to the AxelNAC API made by this process, by result: ok, or the failure's outcome code",
      labelNames: ["result"],
      registers,
    }),
    heldBack: new Counter({
      name: `${METRIC_PREFIX}jobs_held_back_total`,
      help: "Jobs put back to waiting, no attempt spent, behind a fleet-wide pause, by cause (throttled: a 429; unavailable: the appliance serves no one) and outcome code",
      labelNames: ["cause", "code"],
      registers,
    }),
    jobsInFlight: new Gauge({
      name: `${METRIC_PREFIX}jobs_in_flight`,
      help: "Jobs this worker is running now",
      registers,
    }),
  };
  // Series that exist from the start, at 0, so that rate() and increase() see their first rise.
  metrics.deliveries.inc({ outcome: "delivered" }, 0);
  metrics.deliveries.inc({ outcome: "cancelled" }, 0);
  metrics.logins.inc({ result: "ok" }, 0);
  return metrics;
}
