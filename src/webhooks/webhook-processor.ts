import type { Job } from "bullmq";
import type { Logger } from "../logging/logger";
import { plural } from "../logging/plural";
import type { WebhookJob } from "./webhook-event";
import { WebhookFailedError } from "./webhook-failure";
import type { PostResult, WebhookPost } from "./webhook-sender";
import { type WebhookTarget, webhookOrigin } from "./webhook-target";

export type WebhookResult = { sent: true; status: number } | { dropped: string };

/** What the processor needs, passed in: it never builds a Redis connection or an HTTP client. */
export interface WebhookDeps {
  readTarget(keyId: string): Promise<WebhookTarget>;
  post(post: WebhookPost): Promise<PostResult>;
  logger: Logger;
}

/**
 * The webhooks queue's BullMQ processor: one POST of one event. The key's record is read now, not
 * when the event was made: a revoked key or a removed webhook drops the event (completed, logged);
 * a new URL or secret is used at once. A failed POST throws, and BullMQ retries it with back-off
 * (WEBHOOK_ATTEMPTS); the last failure is logged at warn, with its code and status.
 */
export function createWebhookProcessor(deps: WebhookDeps) {
  return async function sendWebhook(job: Job<WebhookJob>): Promise<WebhookResult> {
    const { keyId, event } = job.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const log = deps.logger.child({ webhookJobId: job.id, eventId: event.id, keyId });
    const target = await deps.readTarget(keyId);
    if (target.kind === "drop") {
      log.info({ outcome: "dropped" }, `webhook event dropped: ${target.reason}`);
      return { dropped: target.reason };
    }
    let result: PostResult;
    let where: string | undefined;
    if (target.kind === "unreadable") {
      result = { ok: false, code: "WEBHOOK_SECRET_UNREADABLE", detail: target.reason };
    } else {
      where = webhookOrigin(target.url);
      result = await deps.post({ url: target.url, secret: target.secret, event });
    }
    if (result.ok) {
      log.debug(
        { outcome: "sent", status: result.status, attempt, webhook: where },
        "webhook event sent",
      );
      return { sent: true, status: result.status };
    }
    const failed = { code: result.code, status: result.status, attempt, webhook: where };
    if (attempt >= attempts) {
      log.warn(
        { ...failed, outcome: "failed" },
        `webhook event not delivered, given up after ${plural(attempt, "attempt")}: ${result.code}: ${result.detail}`,
      );
    } else {
      log.info(
        { ...failed, outcome: "retry" },
        `webhook attempt ${attempt} failed, retrying: ${result.code}: ${result.detail}`,
      );
    }
    throw new WebhookFailedError(result.code, result.detail, result.status);
  };
}
