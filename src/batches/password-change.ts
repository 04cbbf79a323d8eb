import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { duplicateKey } from "../jobs/duplicate-key";
import { passwordAad } from "../jobs/job-password";
import { forTerminal } from "../logging/terminal-text";
import type { AnswerDeadline } from "../redis/answer-within";
import { isSealed, type KeyRing, seal } from "../secrets";
import { type DataRewrite, readJobsData } from "./failed-jobs";

/** A corrected password read from a file, on its line. */
export interface PasswordRow {
  line: number;
  pid: string;
  password: string;
}

/** A line of the passwords file: a pid and its password, or what is wrong with the line. */
export type PasswordLine = PasswordRow | { line: number; problem: string };

/** What `matchPasswords` found: each job's new password, or the file's problems. */
export interface PasswordMatch {
  /** Job id → its row, when the file has no problem. */
  byJob: Map<string, PasswordRow>;
  /** The first PROBLEMS_KEPT problems, each `line N: …`. */
  problems: string[];
  /** How many problems there were in all. */
  problemCount: number;
}

/** Problems kept to show: a file of the wrong batch would otherwise print a line per row. */
export const PROBLEMS_KEPT = 20;

/**
 * Pairs each line of the file with the one failed job of its pid in the selection (`scope` says
 * which, for the messages: "in batch expo"). A line is a problem when it is one already, when its
 * pid has no failed job or several, or when an earlier line has its pid (both lines named). Pids
 * are compared as the jobs store them. A pid comes from the file: made safe for a terminal.
 */
export async function matchPasswords(
  lines: AsyncIterable<PasswordLine>,
  failed: readonly { id: string; pid: string | null }[],
  scope: string,
): Promise<PasswordMatch> {
  const jobsOf = new Map<string, string[]>();
  for (const { id, pid } of failed) {
    if (pid === null) continue;
    jobsOf.set(pid, [...(jobsOf.get(pid) ?? []), id]);
  }
  const match: PasswordMatch = { byJob: new Map(), problems: [], problemCount: 0 };
  const problem = (line: number, text: string) => {
    match.problemCount++;
    if (match.problems.length < PROBLEMS_KEPT) match.problems.push(`line ${line}: ${text}`);
  };
  const lineOf = new Map<string, number>();
  const where = scope === "" ? "" : ` ${scope}`;
  for await (const entry of lines) {
    if ("problem" in entry) {
      problem(entry.line, entry.problem);
      continue;
    }
    const pid = forTerminal(entry.pid);
    const earlier = lineOf.get(entry.pid);
    if (earlier !== undefined) {
      problem(entry.line, `${pid} is also on line ${earlier}: give each guest one password`);
      continue;
    }
    lineOf.set(entry.pid, entry.line);
    const jobs = jobsOf.get(entry.pid) ?? [];
    if (jobs.length === 0) problem(entry.line, `no failed delivery for ${pid}${where}`);
    else if (jobs.length > 1) {
      problem(
        entry.line,
        `${pid} has ${jobs.length} failed deliveries${where}: retry them one at a time with --id JOB`,
      );
    } else match.byJob.set(jobs[0] as string, entry);
  }
  if (match.problemCount > 0) match.byJob.clear();
  return match;
}

/** A failed job whose password cannot be replaced: nothing is changed then. */
export class PasswordChangeError extends Error {
  readonly code = "COURIER_PASSWORD_CHANGE_REFUSED";
}

/** How the new passwords are stored, and protected against a second delivery. */
export interface PasswordPolicy {
  /** `--source-id`: the SMS source the jobs carry from then on; absent, each keeps its own. */
  sourceId?: string;
  /** Seals each new password under the active key; absent, passwords are stored in plaintext. */
  ring: KeyRing | undefined;
  /** The producers' duplicate-key secret (producer/duplicate-key-secret.ts). */
  duplicateKeySecret: string;
  /** DUPLICATE_WINDOW, in ms: how long the new password's entry protects the retried job. */
  duplicateWindowMs: number;
}

/**
 * Each job's data with its password replaced (and its source, with `sourceId`), for
 * `retryFailed`: sealed as a producer seals it (jobs/job-password.ts), bound to the job's pid and
 * its source from then on. Passwords are held in memory only. Throws, naming the job, when one
 * cannot be replaced: no job is changed then.
 *
 * Duplicate protection: a job's entry is keyed by (source, pid, password) (jobs/duplicate-key.ts).
 * The job keeps its old entry, which runs out by itself: the first, wrong file imported again
 * within DUPLICATE_WINDOW still sends nobody a second SMS. It also gets an entry for its new
 * password, lasting DUPLICATE_WINDOW from the retry, so that the same guest enqueued later with
 * the corrected password (the corrected file imported) is a duplicate of the retried job rather
 * than a second SMS. A job enqueued without protection (`--resend`, a plain producer) gets none.
 */
export async function rewritePasswords(
  queue: Queue,
  redis: Redis,
  rows: ReadonlyMap<string, PasswordRow>,
  policy: PasswordPolicy,
  deadline?: AnswerDeadline,
): Promise<Map<string, DataRewrite>> {
  const rewrites = new Map<string, DataRewrite>();
  for (const [id, raw] of await readJobsData(queue, redis, [...rows.keys()], deadline))
    rewrites.set(id, withPassword(id, raw, rows.get(id) as PasswordRow, policy));
  return rewrites;
}

function withPassword(
  id: string,
  raw: string,
  row: PasswordRow,
  policy: PasswordPolicy,
): DataRewrite {
  const fields = jobFields(id, raw);
  const { pid, password, source_id } = fields;
  if (pid !== row.pid) {
    throw new PasswordChangeError(`job ${forTerminal(id)}: its pid is no longer the one listed`);
  }
  const sourceId = policy.sourceId ?? source_id;
  if (typeof sourceId !== "string") {
    throw new PasswordChangeError(`job ${forTerminal(id)}: it has no source_id`);
  }
  if (!policy.ring && typeof password === "string" && isSealed(password)) {
    // Storing the new one in plaintext would undo the sealing the fleet relies on.
    throw new PasswordChangeError(
      `job ${forTerminal(id)}: its password is sealed, and so must the new one be: set JOB_ENCRYPTION_KEYS`,
    );
  }
  const job = { pid: row.pid, source_id: sourceId, password: row.password };
  const stored = policy.ring ? seal(policy.ring, row.password, passwordAad(job)) : row.password;
  const to = JSON.stringify({ ...fields, source_id: sourceId, password: stored });
  if (policy.duplicateWindowMs < 1) return { from: raw, to };
  const protection = {
    id: duplicateKey(policy.duplicateKeySecret, job),
    ttlMs: Math.ceil(policy.duplicateWindowMs),
  };
  return { from: raw, to, protection };
}

function jobFields(id: string, raw: string): Record<string, unknown> {
  let fields: unknown;
  try {
    fields = JSON.parse(raw);
  } catch {
    throw new PasswordChangeError(`job ${forTerminal(id)}: its data is not JSON`);
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new PasswordChangeError(`job ${forTerminal(id)}: its data is not a JSON object`);
  }
  return fields as Record<string, unknown>;
}
