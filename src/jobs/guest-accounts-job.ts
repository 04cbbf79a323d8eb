import { z } from "zod";
import { isSealed, type KeyRing, open, seal, sealedKeyId } from "../secrets";
import { isBatchId } from "./batch-id-rule";
import type { JobSecrets } from "./job-password";
import { passwordAad } from "./job-password";
import { deliveryJobSchema, PID_PATTERN } from "./job-schema";

/**
 * An onboarding job: a group of guests whose accounts the worker creates on the appliance
 * (users/bulk_import) before enqueuing each one's credential delivery in the same batch. Written
 * by `onboard`, never by upstream producers. Its name tells the worker which kind of job it holds.
 */
export const GUEST_ACCOUNTS_JOB_NAME = "create-guest-accounts";

/**
 * An onboarded guest's SMS goes before the next group of accounts is created (a larger number is a
 * lower priority), so that guests get their credentials while the rest of the batch is still
 * being created, and after upstream producers' jobs, which carry no priority.
 */
export const ONBOARDING_DELIVERY_PRIORITY = 1_000;

/** Onboarding jobs themselves go after the SMS of the guests already created. */
export const ONBOARDING_JOB_PRIORITY = ONBOARDING_DELIVERY_PRIORITY + 1;

/**
 * At most this many guests per job: one appliance request holds one of the fleet's 8 slots for
 * the time the appliance takes to save them all (about 30 ms each), and its answer grows with them.
 */
export const MAX_GUESTS_PER_JOB = 250;

const optionalText = z.string().max(255).optional();

const guestSchema = z.object({
  /** The registration's line in the organiser's file, for messages. */
  line: z.number().int().min(1),
  pid: z.string().min(1).max(255).regex(PID_PATTERN),
  firstname: optionalText,
  lastname: optionalText,
  email: optionalText,
  /** E.164: the number the appliance will send the SMS to. */
  telephone: z.string().regex(/^\+[1-9]\d{6,14}$/),
  company: optionalText,
  /** A password the courier made (`--password-length`); absent, the appliance makes one. */
  password: z.string().min(1).max(255).optional(),
});

/**
 * What became of a guest once the appliance answered, recorded in the job before any SMS is
 * enqueued, so that a worker that dies after the answer leaves the next one the password the
 * appliance holds. `reset`: an existing guest whose password was replaced (`--reset-passwords`).
 */
const resultSchema = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.enum(["created", "reset"]), password: z.string().min(1) }),
  z.object({ outcome: z.literal("existing") }),
]);

export const guestAccountsJobSchema = z.object({
  batch_id: z.string().refine(isBatchId),
  source_id: z.string().min(1).max(255),
  /** This onboarding run's mark, left in the notes of every guest it creates. */
  run: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  reset_passwords: z.boolean(),
  account: z.object({
    valid_from: z.string().min(1),
    expiration: z.string().min(1),
    actions: z.array(z.object({ type: z.string().min(1), value: z.string() })),
  }),
  guests: z.array(guestSchema).min(1).max(MAX_GUESTS_PER_JOB),
  /** The HTTP API key that uploaded the registrations (`serve`); each guest's SMS carries it on. */
  submitted_by: deliveryJobSchema.shape.submitted_by,
  results: z.record(z.string(), resultSchema).optional(),
});

export type GuestAccountsJob = z.output<typeof guestAccountsJobSchema>;
export type OnboardedGuest = GuestAccountsJob["guests"][number];
export type GuestAccountOutcome = NonNullable<GuestAccountsJob["results"]>[string];

/**
 * What the notes of a guest this run created say. A worker that finds it on a guest the
 * appliance calls existing knows the guest is its own, created by an attempt whose answer was
 * lost, and that no SMS was sent for it: only then may it replace that guest's password.
 */
export function runMark(job: Pick<GuestAccountsJob, "batch_id" | "run">): string {
  return `Onboarded by axelnac-courier: batch ${job.batch_id}, run ${job.run}`;
}

/** Every password of the job sealed under the ring's active key; plaintext without a ring. */
export function sealAccountPasswords(
  job: GuestAccountsJob,
  ring: KeyRing | undefined,
): GuestAccountsJob {
  if (!ring) return job;
  const sealed = (pid: string, password: string) =>
    isSealed(password)
      ? password
      : seal(ring, password, passwordAad({ pid, source_id: job.source_id }));
  const guests = job.guests.map((guest) =>
    guest.password === undefined
      ? guest
      : { ...guest, password: sealed(guest.pid, guest.password) },
  );
  if (!job.results) return { ...job, guests };
  const results = Object.fromEntries(
    Object.entries(job.results).map(([pid, result]) => [
      pid,
      "password" in result ? { ...result, password: sealed(pid, result.password) } : result,
    ]),
  );
  return { ...job, guests, results };
}

export type GuestAccountsReading =
  | { ok: true; job: GuestAccountsJob }
  | { ok: false; problem: "invalid" | "unauthentic" | "plaintext-refused"; reason: string }
  | { ok: false; problem: "unknown-key"; keyId: string };

/**
 * Reads a stored onboarding job: validated, then every password opened. Reasons name fields and
 * key ids, never a value.
 */
export function readGuestAccountsJob(data: unknown, secrets: JobSecrets): GuestAccountsReading {
  const parsed = guestAccountsJobSchema.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "data"))];
    return {
      ok: false,
      problem: "invalid",
      reason: `invalid onboarding job: ${fields.join(", ")}`,
    };
  }
  const job = parsed.data;
  let failure: Exclude<GuestAccountsReading, { ok: true }> | undefined;
  const opened = (pid: string, password: string): string => {
    if (!isSealed(password)) {
      if (secrets.plaintextRefused) {
        failure ??= {
          ok: false,
          problem: "plaintext-refused",
          reason: "a password is in plaintext and JOB_ENCRYPTION_REQUIRED is set",
        };
      }
      return password;
    }
    if (!secrets.ring) {
      const keyId = sealedKeyId(password);
      failure ??= keyId
        ? { ok: false, problem: "unknown-key", keyId }
        : {
            ok: false,
            problem: "unauthentic",
            reason: `password of ${pid}: not a ciphertext this courier reads`,
          };
      return password;
    }
    const result = open(secrets.ring, password, passwordAad({ pid, source_id: job.source_id }));
    if (result.ok) return result.text;
    failure ??=
      result.problem === "unknown-key"
        ? { ok: false, problem: "unknown-key", keyId: result.keyId }
        : { ok: false, problem: "unauthentic", reason: `password of ${pid}: ${result.detail}` };
    return password;
  };
  const guests = job.guests.map((guest) =>
    guest.password === undefined
      ? guest
      : { ...guest, password: opened(guest.pid, guest.password) },
  );
  const results = job.results
    ? Object.fromEntries(
        Object.entries(job.results).map(([pid, result]) => [
          pid,
          "password" in result ? { ...result, password: opened(pid, result.password) } : result,
        ]),
      )
    : undefined;
  if (failure) return failure;
  return { ok: true, job: { ...job, guests, ...(results ? { results } : {}) } };
}
