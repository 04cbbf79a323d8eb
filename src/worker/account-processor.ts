import { type Job, UnrecoverableError } from "bullmq";
import type {
  BulkImportRequest,
  GuestAccountItem,
  GuestAccountResult,
  GuestRecord,
} from "../axelnac";
import type { AccountOutcome } from "../batches/account-counts";
import {
  type GuestAccountOutcome,
  type GuestAccountsJob,
  type OnboardedGuest,
  readGuestAccountsJob,
  runMark,
  sealAccountPasswords,
} from "../jobs/guest-accounts-job";
import type { JobSecrets } from "../jobs/job-password";
import type { DeliveryJob } from "../jobs/job-schema";
import { failedAttempts } from "../jobs/progress";
import type { Logger } from "../logging/logger";
import { plural } from "../logging/plural";
import { type Failure, failureReason, toFailure } from "../outcome";
import { callWithToken } from "../token";
import type { TokenManager } from "../token/token-manager";
import { createFailureHandler } from "./attempt-failure";
import { failpoint } from "./failpoint";
import type { FleetPause } from "./fleet-pause";
import { createMissingKeyWait } from "./missing-key";
import { lazyChild } from "./processor";
import type { RetryPolicy } from "./retry-policy";

export interface AccountsResult {
  created: number;
  reset: number;
  existing: number;
  refused: number;
}

/** What the onboarding processor needs, passed in as the delivery processor's deps are. */
export interface AccountDeps {
  bulkImport: (request: BulkImportRequest, token: string) => Promise<GuestAccountResult[]>;
  getUser: (pid: string, token: string) => Promise<GuestRecord | null>;
  tokens: Pick<TokenManager, "getToken" | "invalidate">;
  pause: Pick<FleetPause, "throttle" | "unavailable" | "deliverySucceeded">;
  policy: RetryPolicy;
  secrets: JobSecrets;
  /** Enqueues credential deliveries in the job's batch; one already enqueued is skipped as a duplicate. */
  enqueueDeliveries: (deliveries: DeliveryJob[]) => Promise<void>;
  /** Counts what became of each guest's account in the batch (idempotent per pid). */
  recordAccounts: (
    batchId: string,
    outcomes: { pid: string; outcome: AccountOutcome }[],
  ) => Promise<void>;
  logger: Logger;
}

/**
 * Creates a group of guests' accounts, then enqueues each new guest's SMS.
 *
 * The order makes a crash at any point safe (docs/axelnac-api.md §9.2):
 * 1. the appliance saves the guests (existing ones are left alone unless `reset_passwords`);
 * 2. the answer, with each password the appliance now holds, is written into the job (sealed);
 * 3. the deliveries are enqueued, duplicate-protected on (source, pid, password).
 * A worker that dies before 2 leaves guests created whose password nobody knows and for whom
 * no SMS was enqueued: the next attempt finds them existing, recognises its run's mark in their
 * notes, and saves them again, which gives each a new password that is then delivered. One that
 * dies after 2 leaves the answer: the next attempt enqueues the same deliveries, and the
 * duplicate protection keeps those already enqueued from going out twice.
 */
export function createAccountProcessor(deps: AccountDeps) {
  const { handleFailure, retryLater } = createFailureHandler(deps);
  const waitForKey = createMissingKeyWait(deps.secrets);

  return async function createAccounts(job: Job, lockToken?: string): Promise<AccountsResult> {
    const log = lazyChild(deps.logger, { jobId: job.id });
    const reading = readGuestAccountsJob(job.data, deps.secrets);
    if (!reading.ok) {
      if (reading.problem === "unknown-key") return waitForKey(job, lockToken, reading.keyId, log);
      const code =
        reading.problem === "invalid"
          ? "COURIER_INVALID_JOB"
          : reading.problem === "plaintext-refused"
            ? "COURIER_PLAINTEXT_REFUSED"
            : "COURIER_CIPHERTEXT_INVALID";
      const reason = failureReason({ code, message: reading.reason });
      log().error({ outcome: "invalid", code }, reason);
      throw new UnrecoverableError(reason);
    }
    const data = reading.job;
    const results: Record<string, GuestAccountOutcome> = { ...data.results };
    const pending = data.guests.filter((guest) => results[guest.pid] === undefined);
    const attempt = failedAttempts(job) + 1;
    const current = {
      job,
      guest: pending[0]?.pid ?? data.guests[0]?.pid ?? "",
      lockToken,
      attempt,
      log: log(),
      retryAmbiguous: true,
      ambiguousMeans: "the guests may have been saved",
    };

    let refused = new Map<OnboardedGuest, string>();
    let unanswered: { guest: OnboardedGuest; reason: string }[] = [];
    if (pending.length > 0) {
      // An earlier start of this job may have reached the appliance, its answer lost.
      const mayHaveRun = job.attemptsStarted > 1;
      let answered: Answered;
      try {
        answered = await saveGuests(data, pending, mayHaveRun);
      } catch (error) {
        return handleFailure(current, toFailure(error));
      }
      failpoint("accounts-answered");
      Object.assign(results, answered.results);
      refused = answered.refused;
      unanswered = answered.unanswered;
      await deps.pause.deliverySucceeded();
      if (Object.keys(answered.results).length > 0) {
        try {
          await job.updateData(sealAccountPasswords({ ...data, results }, deps.secrets.ring));
        } catch (error) {
          // Unrecorded, the answer is lost: the retry recognises this run's guests by their mark.
          return handleFailure(current, toFailure(error));
        }
      }
    }

    failpoint("accounts-recorded");
    const counts = tally(data, results, refused);
    try {
      await deps.enqueueDeliveries(deliveriesOf(data, results));
      await deps.recordAccounts(data.batch_id, [
        ...Object.entries(results).map(([pid, result]) => ({ pid, outcome: result.outcome })),
        ...[...refused.keys()].map((guest) => ({ pid: guest.pid, outcome: "refused" as const })),
      ]);
    } catch (error) {
      // The answer is in the job: the retry enqueues what is missing, nothing twice.
      return handleFailure(current, toFailure(error));
    }
    log().info({ outcome: "accounts", ...counts, attempt }, "guest accounts saved on AxelNAC");

    if (unanswered.length > 0) {
      const first = unanswered[0] as (typeof unanswered)[number];
      return retryLater(current, {
        code: "AXELNAC_SERVER_ERROR",
        failureClass: "retryable",
        message: `${plural(unanswered.length, "guest")} not saved yet (line ${first.guest.line}: ${first.reason})`,
      } satisfies Failure);
    }
    if (refused.size > 0) {
      const reason = refusalReason(refused);
      log().warn(
        { outcome: "rejected", code: "AXELNAC_GUEST_REFUSED", refused: refused.size },
        reason,
      );
      throw new UnrecoverableError(reason);
    }
    return counts;
  };

  /** Step 1, and the recovery of guests an attempt whose answer was lost created. */
  async function saveGuests(
    data: GuestAccountsJob,
    guests: OnboardedGuest[],
    mayHaveRun: boolean,
  ): Promise<Answered> {
    const first = await importGuests(data, guests, !data.reset_passwords);
    if (!mayHaveRun) return first;
    const existing = guests.filter((guest) => first.results[guest.pid]?.outcome === "existing");
    if (existing.length === 0) return first;
    const mark = runMark(data);
    const ours: OnboardedGuest[] = [];
    for (const guest of existing) {
      const record = await callWithToken(deps.tokens, (token) => deps.getUser(guest.pid, token));
      if (record?.notes?.includes(mark)) ours.push(guest);
    }
    if (ours.length === 0) return first;
    deps.logger.warn(
      { outcome: "recovered", guests: ours.length },
      "guests created by an attempt whose answer was lost are saved again: each gets a new password and its first SMS",
    );
    const again = await importGuests(data, ours, false);
    for (const guest of ours) {
      const result = again.results[guest.pid];
      // Created by this run: "created", though the appliance now calls it an update.
      if (result && result.outcome !== "existing")
        again.results[guest.pid] = { ...result, outcome: "created" };
    }
    return {
      results: { ...first.results, ...again.results },
      refused: new Map([...first.refused, ...again.refused]),
      unanswered: [...first.unanswered, ...again.unanswered],
    };
  }

  async function importGuests(
    data: GuestAccountsJob,
    guests: OnboardedGuest[],
    leaveExisting: boolean,
  ): Promise<Answered> {
    const request: BulkImportRequest = {
      items: guests.map((guest) => accountItem(data, guest)),
      ignoreUpdateIfExists: leaveExisting,
    };
    const answers = await callWithToken(deps.tokens, (token) => deps.bulkImport(request, token));
    const answered: Answered = { results: {}, refused: new Map(), unanswered: [] };
    guests.forEach((guest, i) => {
      const answer = answers[i] as GuestAccountResult;
      switch (answer.status) {
        case "saved":
          answered.results[guest.pid] = {
            outcome: answer.isNew ? "created" : "reset",
            password: answer.password,
          };
          break;
        case "exists":
          answered.results[guest.pid] = { outcome: "existing" };
          break;
        case "refused":
          answered.refused.set(guest, answer.reason);
          break;
        default:
          answered.unanswered.push({ guest, reason: `${answer.httpStatus} ${answer.reason}` });
      }
    });
    return answered;
  }
}

interface Answered {
  results: Record<string, GuestAccountOutcome>;
  refused: Map<OnboardedGuest, string>;
  unanswered: { guest: OnboardedGuest; reason: string }[];
}

/** The item users/bulk_import takes for a guest: the person, the password if the courier made one, the account. */
export function accountItem(data: GuestAccountsJob, guest: OnboardedGuest): GuestAccountItem {
  const { line: _line, ...person } = guest;
  return { ...person, notes: runMark(data), ...data.account };
}

/**
 * Each guest saved with a password gets its SMS, in the batch, with the password the appliance
 * holds, and the API key that uploaded the guest, whose webhook hears of the delivery.
 */
function deliveriesOf(
  data: GuestAccountsJob,
  results: Record<string, GuestAccountOutcome>,
): DeliveryJob[] {
  return data.guests.flatMap((guest) => {
    const result = results[guest.pid];
    if (!result || !("password" in result)) return [];
    return [
      {
        pid: guest.pid,
        password: result.password,
        source_id: data.source_id,
        batch_id: data.batch_id,
        reference: `line ${guest.line}`,
        file_line: guest.line,
        ...(data.submitted_by === undefined ? {} : { submitted_by: data.submitted_by }),
      },
    ];
  });
}

function tally(
  data: GuestAccountsJob,
  results: Record<string, GuestAccountOutcome>,
  refused: Map<OnboardedGuest, string>,
): AccountsResult {
  const counts: AccountsResult = { created: 0, reset: 0, existing: 0, refused: refused.size };
  for (const guest of data.guests) {
    const result = results[guest.pid];
    if (result) counts[result.outcome]++;
  }
  return counts;
}

/** `AXELNAC_GUEST_REFUSED: 2 guests refused by the appliance: line 14 (pid x): email: invalid format; …` */
function refusalReason(refused: Map<OnboardedGuest, string>): string {
  const shown = [...refused]
    .slice(0, 5)
    .map(([guest, reason]) => `line ${guest.line} (pid ${guest.pid}): ${reason}`);
  const more = refused.size > shown.length ? `; and ${refused.size - shown.length} more` : "";
  return failureReason({
    code: "AXELNAC_GUEST_REFUSED",
    message: `${plural(refused.size, "guest")} refused by the appliance: ${shown.join("; ")}${more}`,
  });
}
