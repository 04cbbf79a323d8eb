import { isSealed, type KeyRing, open, seal, sealedKeyId } from "../secrets";
import { type DeliveryJob, type JobProblem, validateDeliveryJob } from "./job-schema";

/**
 * The authenticated data that binds a sealed password to its guest and SMS source: a ciphertext
 * copied onto another guest's job does not open. The job contract (README) spells it out for
 * producers in other languages: `password`, LF, pid, LF, source_id, as UTF-8. A pid holds no line
 * break, so no two (pid, source_id) pairs give the same bytes.
 */
export function passwordAad(job: Pick<DeliveryJob, "pid" | "source_id">): string {
  return `password\n${job.pid}\n${job.source_id}`;
}

/** The job as a producer writes it: the password sealed under the active key when there is a ring. */
export function sealJobPassword(job: DeliveryJob, ring: KeyRing | undefined): DeliveryJob {
  if (!ring) return job;
  return { ...job, password: seal(ring, job.password, passwordAad(job)) };
}

/** How the worker reads stored jobs: with the fleet's ring (if any), refusing plaintext or not. */
export interface JobSecrets {
  ring: KeyRing | undefined;
  /** JOB_ENCRYPTION_REQUIRED: a plaintext password fails the job at once. */
  plaintextRefused: boolean;
}

export type StoredJobReading =
  | { ok: true; job: DeliveryJob; sealedUnder: string | undefined }
  | { ok: false; problem: "invalid"; reason: string; problems: JobProblem[] }
  /** Sealed under a key this worker lacks: the job waits for one that has it. */
  | { ok: false; problem: "unknown-key"; keyId: string }
  | { ok: false; problem: "unauthentic"; reason: string }
  | { ok: false; problem: "plaintext-refused"; reason: string };

/**
 * Reads a stored job's data: the password opened when sealed, then the whole job validated as the
 * contract says. Reasons name fields and key ids, never a value.
 */
export function readStoredJob(data: unknown, secrets: JobSecrets): StoredJobReading {
  const fields = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const { password } = fields;
  if (typeof password !== "string" || !isSealed(password)) {
    const validation = validateDeliveryJob(data);
    if (!validation.ok) return invalid(validation);
    if (secrets.plaintextRefused) {
      return {
        ok: false,
        problem: "plaintext-refused",
        reason: "the password is in plaintext and JOB_ENCRYPTION_REQUIRED is set",
      };
    }
    return { ok: true, job: validation.job, sealedUnder: undefined };
  }
  const opened = openSealed(password, fields, secrets.ring);
  if (!opened.ok) {
    // Invalid whatever its password: fails now, even if another worker holds its key.
    const shape = validateDeliveryJob({ ...fields, password: "sealed" });
    return shape.ok ? opened : invalid(shape);
  }
  const validation = validateDeliveryJob({ ...fields, password: opened.text });
  if (!validation.ok) return invalid(validation);
  return { ok: true, job: validation.job, sealedUnder: opened.keyId };
}

/**
 * The sealed password opened with the job's own pid and source_id as authenticated data. The
 * job is validated once, after opening (the hot path); only a password that does not open costs
 * a second look at the other fields.
 */
function openSealed(
  password: string,
  fields: Record<string, unknown>,
  ring: KeyRing | undefined,
):
  | { ok: true; text: string; keyId: string }
  | Extract<StoredJobReading, { problem: "unknown-key" | "unauthentic" }> {
  if (!ring) {
    const keyId = sealedKeyId(password);
    return keyId
      ? { ok: false, problem: "unknown-key", keyId }
      : {
          ok: false,
          problem: "unauthentic",
          reason: "password: not a ciphertext this courier reads",
        };
  }
  const { pid, source_id } = fields;
  if (typeof pid !== "string" || typeof source_id !== "string") {
    return {
      ok: false,
      problem: "unauthentic",
      // Stryker disable next-line StringLiteral: never shown: such a job fails the contract's own check first
      reason: "password: cannot be checked without pid and source_id",
    };
  }
  const opened = open(ring, password, passwordAad({ pid, source_id }));
  if (opened.ok) return opened;
  return opened.problem === "unknown-key"
    ? { ok: false, problem: "unknown-key", keyId: opened.keyId }
    : { ok: false, problem: "unauthentic", reason: `password: ${opened.detail}` };
}

function invalid(validation: { reason: string; problems: JobProblem[] }): StoredJobReading {
  return {
    ok: false,
    problem: "invalid",
    reason: validation.reason,
    problems: validation.problems,
  };
}
