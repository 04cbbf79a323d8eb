import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { passwordAad } from "../jobs/job-password";
import type { AnswerDeadline } from "../redis/answer-within";
import { isSealed, type KeyRing, open, seal } from "../secrets";
import { type DataRewrite, readJobsData } from "./failed-jobs";

/** A failed job whose SMS source cannot be changed: nothing is changed then. */
export class SourceChangeError extends Error {
  readonly code = "COURIER_SOURCE_CHANGE_REFUSED";
}

/**
 * Each failed job's data with `source_id` replaced (`failed retry --source-id`). A sealed
 * password is bound to its pid and source (job-password.ts, passwordAad): it is opened with the
 * old source and sealed again with the new one, under the ring's active key; a plaintext one stays
 * as it was. The passwords are held in memory only, never written out. Throws, naming the job,
 * when a password cannot be opened: no job is changed then.
 */
export async function rewriteSources(
  queue: Queue,
  redis: Redis,
  ids: readonly string[],
  sourceId: string,
  ring: KeyRing | undefined,
  deadline?: AnswerDeadline,
): Promise<Map<string, DataRewrite>> {
  const rewrites = new Map<string, DataRewrite>();
  for (const [id, raw] of await readJobsData(queue, redis, ids, deadline))
    rewrites.set(id, { from: raw, to: withSource(id, raw, sourceId, ring) });
  return rewrites;
}

function withSource(id: string, raw: string, sourceId: string, ring: KeyRing | undefined): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new SourceChangeError(`job ${id}: its data is not JSON`);
  }
  if (typeof fields !== "object" || fields === null) {
    throw new SourceChangeError(`job ${id}: its data is not a JSON object`);
  }
  const { password, pid, source_id } = fields;
  if (typeof password !== "string" || !isSealed(password)) {
    return JSON.stringify({ ...fields, source_id: sourceId });
  }
  if (!ring) {
    throw new SourceChangeError(
      `job ${id}: its password is sealed, and a new source needs it sealed again: set JOB_ENCRYPTION_KEYS`,
    );
  }
  if (typeof pid !== "string" || typeof source_id !== "string") {
    throw new SourceChangeError(`job ${id}: it has no pid or source_id to open its password with`);
  }
  const opened = open(ring, password, passwordAad({ pid, source_id }));
  if (!opened.ok) {
    throw new SourceChangeError(
      `job ${id}: its password does not open (${opened.problem === "unknown-key" ? "sealed under a key JOB_ENCRYPTION_KEYS lacks" : "altered, or copied from another record"})`,
    );
  }
  const resealed = seal(ring, opened.text, passwordAad({ pid, source_id: sourceId }));
  return JSON.stringify({ ...fields, source_id: sourceId, password: resealed });
}
