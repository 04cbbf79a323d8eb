import { z } from "zod";
import { batchIdProblem } from "./batch-id-rule";

/** PacketFence's rule for a person's id (lib/pf/person.pm). */
export const PID_PATTERN = /^[a-zA-Z0-9\-_.@/\\]+$/;

/**
 * What a pid that breaks PID_PATTERN is told. It says whose rule it is: batch ids take any
 * letter, so "may only contain letters" alone would puzzle someone whose pid is "гость".
 */
export const PID_RULE =
  "AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)";

/**
 * A string field: a missing one "is required", one of another type "must be a string". The error
 * function is also the message of every check given none of its own, so each check names its own.
 */
const text = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });

const TOO_LONG = "must be at most 255 characters";

/**
 * A credential-delivery job, version 1: the contract upstream producers rely on
 * (README, "The job contract (for upstream systems)"). Producers and the worker validate with
 * this one schema. Unknown fields are ignored, so a producer may carry its own bookkeeping.
 */
export const deliveryJobSchema = z.object({
  pid: text().min(1, "must not be empty").max(255, TOO_LONG).regex(PID_PATTERN, PID_RULE),
  // A blank at either end cannot be seen in the SMS, so the guest would not type it: refused
  // rather than trimmed, since trimming would change the credential the appliance sets.
  password: text()
    .min(1, "must not be empty")
    .max(255, TOO_LONG)
    .refine(
      (password) => password.trim() === password,
      "must not start or end with a space or other blank character",
    ),
  source_id: text().min(1, "must not be empty").max(255, TOO_LONG),
  batch_id: text()
    .check((context) => {
      const problem = batchIdProblem(context.value);
      if (problem) context.issues.push({ code: "custom", message: problem, input: context.value });
    })
    .optional(),
  reference: text().max(255, TOO_LONG).optional(),
  /**
   * The line of the file the job was read from (`import`, and the SMS of a guest `onboard` read),
   * so that `failed list` can point at the row to fix. Not a secret.
   */
  file_line: z
    .number({ error: "must be a whole number from 1" })
    .int("must be a whole number from 1")
    .min(1, "must be a whole number from 1")
    .optional(),
  /**
   * The id of the HTTP API key that added the job (`serve`): its outcome is recorded against it
   * and POSTed to the key's webhook, if it has one. Not a secret.
   */
  submitted_by: text().max(255, TOO_LONG).optional(),
});

export type DeliveryJob = z.output<typeof deliveryJobSchema>;

/** The job name the project's own producers use; the worker accepts any name. */
export const DELIVERY_JOB_NAME = "send-credentials";

/** One thing wrong with job data: the field (null for the data as a whole) and what is wrong. */
export interface JobProblem {
  field: string | null;
  message: string;
}

export type JobValidation =
  | { ok: true; job: DeliveryJob }
  /** `reason` is the sentence (`invalid job: pid: is required`); `problems`, the same as data. */
  | { ok: false; reason: string; problems: JobProblem[] };

/**
 * Validates untrusted job data. The problems name each offending field and never quote a value,
 * since the value may be a password.
 */
export function validateDeliveryJob(data: unknown): JobValidation {
  const parsed = deliveryJobSchema.safeParse(data);
  if (parsed.success) return { ok: true, job: parsed.data };
  const problems = parsed.error.issues.map((issue): JobProblem => {
    // Stryker disable next-line StringLiteral: every field is top-level, so a path has one segment and no separator
    const field = issue.path.join(".");
    return field
      ? { field, message: issue.message }
      : { field: null, message: "job data must be a JSON object with pid, password and source_id" };
  });
  return { ok: false, reason: describeProblems(problems), problems };
}

/** `invalid job: pid: is required; password: must be a string` */
function describeProblems(problems: readonly JobProblem[]): string {
  const parts = problems.map((p) => (p.field === null ? p.message : `${p.field}: ${p.message}`));
  return `invalid job: ${parts.join("; ")}`;
}
