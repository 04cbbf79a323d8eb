/**
 * The delivery worker's hooks (src/worker/observers.ts), feeding the courier's metrics. Each is
 * a counter or a histogram touched in memory: no Redis round trip, nothing on the job's path
 * that can fail.
 */
import type { Job, Worker } from "bullmq";
import { GUEST_ACCOUNTS_JOB_NAME } from "../jobs/guest-accounts-job";
import { OUTCOME_CODES, reasonCode } from "../outcome";
import type { JobObserver, JobProcessor, WorkerObservers } from "../worker/observers";
import { CANCELLED } from "../worker/start";
import type { CourierMetrics } from "./courier-metrics";

export function workerObservers(metrics: CourierMetrics): WorkerObservers {
  return {
    exchange: ({ operation, status, seconds }) =>
      metrics.applianceRequests.observe({ operation, status: String(status) }, seconds),
    login: (result) =>
      metrics.logins.inc({ result: result === "ok" ? "ok" : codeLabel(result.code) }),
    jobHeldBack: (cause, code) => metrics.heldBack.inc({ cause, code: codeLabel(code) }),
    jobs: jobObserver(metrics),
  };
}

function jobObserver(metrics: CourierMetrics): JobObserver {
  const { deliveries, deliveryLatency, jobsInFlight } = metrics;
  return {
    track<T>(run: JobProcessor<T>): JobProcessor<T> {
      return async (job, lockToken) => {
        jobsInFlight.inc();
        try {
          return await run(job, lockToken);
        } finally {
          jobsInFlight.dec();
        }
      };
    },
    watch(worker: Worker) {
      worker.on("completed", (job, result) => {
        if (!isDelivery(job)) return;
        if (result === CANCELLED) {
          deliveries.inc({ outcome: "cancelled" });
          return;
        }
        deliveries.inc({ outcome: "delivered" });
        deliveryLatency.observe(secondsSinceDue(job));
      });
      worker.on("failed", (job) => {
        // BullMQ also says "failed" of an attempt it retries itself; finishedOn marks the end.
        if (!job?.finishedOn || !isDelivery(job)) return;
        deliveries.inc({ outcome: "failed", code: codeLabel(reasonCode(job.failedReason ?? "")) });
      });
      // The processor records a failed attempt it will retry in the job's progress (jobs/progress.ts).
      worker.on("progress", (job, progress) => {
        if (!isDelivery(job) || typeof progress !== "object" || progress === null) return;
        const { lastCode } = progress as { lastCode?: unknown };
        if (typeof lastCode !== "string") return;
        deliveries.inc({ outcome: "retried", code: codeLabel(lastCode) });
      });
    },
  };
}

/** An onboarding job counts guests, not deliveries: its SMS are delivery jobs of their own. */
function isDelivery(job: Job): boolean {
  return job.name !== GUEST_ACCOUNTS_JOB_NAME;
}

/** From when the job was due (enqueued, or its send-at time) to its completion. */
function secondsSinceDue(job: Job): number {
  const dueAt = job.timestamp + (job.opts.delay ?? 0);
  return Math.max(0, (job.finishedOn ?? Date.now()) - dueAt) / 1_000;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(OUTCOME_CODES);

/**
 * A code as a label value: one of the outcome codes, `BULLMQ` for a failure BullMQ itself wrote
 * (a job that stalled too often), `OTHER` for anything else, so the label's values stay few.
 */
function codeLabel(code: string | undefined): string {
  if (code === undefined) return "BULLMQ";
  return KNOWN_CODES.has(code) ? code : "OTHER";
}
