import { generateBatchId } from "../../import/batch-id";
import { plural } from "../../logging/plural";
import { type OnboardChoices, resolveOnboardChoices } from "../../onboard/onboard-choices";
import { openOnboarding } from "../../onboard/onboarding";
import { onboardingWrites } from "../../onboard/onboarding-writes";
import { ApiError } from "../api-error";
import { requestInvalid, toApiError } from "../error-answers";
import type { ServeDeps } from "../serve-deps";
import { LISTED_REJECTS } from "./batch-schemas";
import { tooLarge, UploadBody } from "./batch-upload-body";
import { csvOptions, loggedCounts, openUpload, uploadSummary } from "./csv-upload";
import type { CsvUpload } from "./csv-upload-route";
import {
  REGISTRATION_PARAMETERS,
  type RegistrationQuery,
  type RegistrationResult,
} from "./registration-schemas";

/** What POST /v1/registrations uses: the settings `onboard` reads, and the queue it writes to. */
type RegistrationDeps = Pick<ServeDeps, "config" | "logger" | "queue" | "batchKeys">;

/**
 * A registration export streamed into the queue as `onboard FILE` writes one: the choices
 * resolved by the command's rules, the same batch id rule, onboarding jobs written with the same
 * priority, sealing and retention, each carrying the uploading key's id. Choices that cannot be
 * used are a 400 naming each parameter, before a byte of the body is read; a problem of the file
 * as a whole (no phone column, an encoding that cannot read it) a 422 with `onboard`'s message.
 */
export async function onboardUpload(
  deps: RegistrationDeps,
  upload: CsvUpload<RegistrationQuery>,
  limitBytes: number,
): Promise<{ result: RegistrationResult; bodyComplete: boolean }> {
  const { query, submittedBy } = upload;
  const now = new Date();
  const plan = resolveOnboardChoices(choicesOf(query), deps.config, now, REGISTRATION_PARAMETERS);
  if ("problems" in plan) {
    throw requestInvalid(
      "querystring",
      plan.problems.map(({ option, message }) => ({
        in: "querystring",
        field: REGISTRATION_PARAMETERS[option],
        message,
      })),
    );
  }
  const batchId = query.batch ?? generateBatchId(now, "onboard");
  const body = new UploadBody(upload.body, limitBytes);
  const onboarding = await openUpload(body, (chunks) =>
    openOnboarding(chunks, {
      ...plan,
      csv: csvOptions(query, upload.charset),
      batchId,
      ...(submittedBy === undefined ? {} : { submittedBy }),
    }),
  );
  const rejected: RegistrationResult["rejected"] = [];
  const logUploaded = (result: RegistrationResult) =>
    // Counts only: a reason quotes the cell at fault, a phone number or an address.
    deps.logger.info(
      { batchId, ...loggedCounts(result), submittedBy, bytes: body.bytesRead },
      "registrations uploaded",
    );
  let outcome: Awaited<ReturnType<typeof onboarding.run>>;
  try {
    outcome = await onboarding.run({
      write: onboardingWrites({ queue: deps.queue, keys: deps.batchKeys, config: deps.config }),
      onRejected: ({ line, error }) => {
        if (rejected.length < LISTED_REJECTS) rejected.push({ line, reason: error });
      },
    });
  } catch (error) {
    const result = uploadSummary(batchId, onboarding.counts, rejected);
    logUploaded(result);
    throw redisStopped(error, result, onboarding.lastLine);
  }
  const result = uploadSummary(batchId, outcome, rejected);
  logUploaded(result);
  if (body.overLimit) throw tooLarge(limitBytes, result);
  return { result, bodyComplete: body.complete };
}

/** The query's choices, as the onboarding resolver takes them from any interface. */
function choicesOf(query: RegistrationQuery): OnboardChoices {
  const columns = Object.fromEntries(
    Object.entries({
      fullName: query.name_column,
      firstName: query.first_name_column,
      lastName: query.last_name_column,
      email: query.email_column,
      phone: query.phone_column,
      company: query.company_column,
    }).filter(([, name]) => name !== undefined),
  );
  return {
    columns,
    phoneRegion: query.phone_region,
    pidRule: query.pid_rule,
    pidPrefix: query.pid_prefix,
    role: query.role,
    accessDuration: query.access_duration,
    validFrom: query.valid_from,
    expiration: query.expiration,
    applianceTimeZone: query.appliance_time_zone,
    passwordLength: query.password_length,
    resetPasswords: query.reset_passwords === "true",
    sourceId: query.source_id,
  };
}

/**
 * Redis stopped the onboarding part-way: 503, with what was queued before it. Uploading the
 * file again is safe: guests already created are left as they are (found existing, sent nothing).
 */
function redisStopped(error: unknown, result: RegistrationResult, lastLine: number): unknown {
  const refused = (error as { name?: string }).name === "ReplyError";
  const answer = refused ? undefined : toApiError(error as Error, 0);
  if (!refused && answer?.code !== "COURIER_REDIS_UNREACHABLE") return error;
  const code = refused ? "COURIER_REDIS_REFUSED" : "COURIER_REDIS_UNREACHABLE";
  const what = refused ? "Redis refused to write" : "Redis stopped answering";
  return new ApiError(
    503,
    code,
    `${what}: ${plural(result.enqueued, "guest was", "guests were")} queued before` +
      `${result.enqueued > 0 ? `, up to line ${lastLine}` : ""}; upload the file again once ` +
      "Redis answers: guests already created are left as they are",
    result,
  );
}
