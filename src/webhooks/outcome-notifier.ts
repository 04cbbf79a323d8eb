import type { DeliveryRecord } from "../history/delivery-record";
import type { Logger } from "../logging/logger";
import { PeriodicWrites } from "../redis/periodic-writes";
import { outcomeEvent, type WebhookJob } from "./webhook-event";

/** What the notifier needs, passed in: whether keys want webhooks, and how to queue events. */
export interface NotifierDeps {
  /** For each key id: whether its record has a webhook and is not revoked (one round trip). */
  wantsWebhooks(keyIds: readonly string[]): Promise<Map<string, boolean>>;
  /** Adds the events to the webhooks queue (one round trip). */
  enqueue(jobs: readonly WebhookJob[]): Promise<void>;
  logger: Logger;
  flushIntervalMs?: number;
  /** How long a key's answer is kept before it is asked again. */
  cacheMs?: number;
}

/**
 * Turns deliveries that finished for good into webhook jobs without a Redis round trip per
 * delivery: a job without `submitted_by` costs one field read; the others gather in memory and
 * are queued together every `flushIntervalMs` (1 s), and on close, after one look-up of the keys
 * not asked lately. A process killed outright (kill -9) loses the events of its last second.
 */
export class OutcomeNotifier {
  readonly #deps: NotifierDeps;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { wants: boolean; until: number }>();
  #pending: WebhookJob[] = [];
  readonly #writes: PeriodicWrites;

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#cacheMs = deps.cacheMs ?? 10_000;
    this.#writes = new PeriodicWrites(() => this.#write(), deps.flushIntervalMs ?? 1_000);
  }

  /** A delivery job finished for good (src/history/record-of-job.ts built its record). */
  finished(record: DeliveryRecord): void {
    const keyId = record.submittedBy;
    if (keyId === undefined || keyId === "") return;
    const cached = this.#cache.get(keyId);
    if (cached && cached.until > Date.now() && !cached.wants) return;
    const event = outcomeEvent(record);
    if (event) this.#pending.push({ keyId, event });
  }

  /** Queues what has gathered; one flush at a time, in order. */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  close(): Promise<void> {
    return this.#writes.close();
  }

  async #write(): Promise<void> {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    try {
      const wanted = await this.#keysWanting(pending.map((job) => job.keyId));
      const jobs = pending.filter((job) => wanted.has(job.keyId));
      if (jobs.length > 0) await this.#deps.enqueue(jobs);
    } catch (error) {
      // Redis refused or is away: queued with the next flush, before anything noted since.
      this.#pending = [...pending, ...this.#pending];
      this.#deps.logger.debug({ err: error }, "webhook events not queued yet");
    }
  }

  /** The keys among `keyIds` that want webhooks, asking Redis only about those not cached. */
  async #keysWanting(keyIds: readonly string[]): Promise<Set<string>> {
    const now = Date.now();
    const distinct = [...new Set(keyIds)];
    const unknown = distinct.filter((id) => (this.#cache.get(id)?.until ?? 0) <= now);
    if (unknown.length > 0) {
      const answers = await this.#deps.wantsWebhooks(unknown);
      for (const id of unknown) {
        this.#cache.set(id, { wants: answers.get(id) ?? false, until: now + this.#cacheMs });
      }
    }
    return new Set(distinct.filter((id) => this.#cache.get(id)?.wants));
  }
}
