import type { FailedJobsChange, FailedSelection } from "../batches/failed-jobs";
import { listFailed, retryFailed } from "../batches/failed-jobs";
import { matchPasswords, rewritePasswords } from "../batches/password-change";
import { rewriteSources } from "../batches/source-change";
import type { Config } from "../config/config";
import { plural } from "../logging/plural";
import { forTerminal } from "../logging/terminal-text";
import { resolveDuplicateKeySecret } from "../producer/duplicate-key-secret";
import { answerWithin } from "../redis/answer-within";
import type { OperatorConnections } from "../wiring/operator";
import type { CommandIo } from "./io";
import type { PasswordFile } from "./password-file";

/** `failed retry … --passwords FILE`: the file, opened, and what else the command was given. */
export interface PasswordRetry {
  file: PasswordFile;
  /** As the operator gave it, for the messages. */
  path: string;
  selection: FailedSelection;
  sourceId?: string;
}

/** What a retry with passwords did, or the file's problems, already printed. */
export type PasswordRetryResult =
  | { change: FailedJobsChange; withPassword: number }
  | { badLines: number };

/**
 * Checks every line of the file against the failed jobs of the selection before anything is
 * changed; a bad line is printed on stderr and nothing is changed. Then each job of the file is
 * retried with its new password (and `sourceId`, when given), the others as they are (with
 * `sourceId`). Only pids leave Redis to be matched: a job's data, password included, is read only
 * to be rewritten, and no password is printed.
 */
export async function retryWithPasswords(
  request: PasswordRetry,
  config: Config,
  operator: OperatorConnections,
  io: CommandIo,
): Promise<PasswordRetryResult> {
  const { queue, redis, deadline } = operator;
  const { selection, sourceId } = request;
  const failed: { id: string; pid: string | null }[] = [];
  for await (const page of listFailed(queue, redis, selection, deadline)) {
    for (const { id, pid } of page) failed.push({ id, pid });
  }
  const match = await matchPasswords(request.file.lines, failed, scopeOf(selection));
  if (match.problemCount > 0) {
    const file = forTerminal(request.path);
    for (const problem of match.problems) io.stderr.write(`failed: ${file}: ${problem}\n`);
    const unshown = match.problemCount - match.problems.length;
    if (unshown > 0) io.stderr.write(`failed: ${file}: ${plural(unshown, "more bad line")}\n`);
    io.stderr.write(
      `failed: nothing changed: fix ${match.problemCount === 1 ? "the line" : "the lines"} and run the command again\n`,
    );
    return { badLines: match.problemCount };
  }
  const ring = config.encryption.ring;
  const duplicateKeySecret = await answerWithin(
    resolveDuplicateKeySecret(redis, config.redisKeyPrefix, {
      configured: config.producer.duplicateKeySecret,
      keyRing: ring,
    }),
    deadline,
  );
  const policy = {
    ring,
    duplicateKeySecret,
    duplicateWindowMs: config.producer.duplicateWindowMs,
    ...(sourceId !== undefined ? { sourceId } : {}),
  };
  // Every new datum is made before the first job is retried: a job that cannot be rewritten
  // stops the command with nothing changed.
  const renewedIds = [...match.byJob.keys()];
  const renewed = await rewritePasswords(queue, redis, match.byJob, policy, deadline);
  const otherIds = failed.map(({ id }) => id).filter((id) => !match.byJob.has(id));
  const others =
    sourceId === undefined
      ? undefined
      : await rewriteSources(queue, redis, otherIds, sourceId, ring, deadline);
  const target = { ...operator, ...("batch" in selection ? { batch: selection.batch } : {}) };
  const withPassword = await retryFailed(renewedIds, target, { rewrites: renewed });
  const unchanged = await retryFailed(otherIds, target, others ? { rewrites: others } : {});
  return {
    change: {
      changed: withPassword.changed + unchanged.changed,
      gone: withPassword.gone + unchanged.gone,
    },
    withPassword: withPassword.changed,
  };
}

/** "in batch expo", "in job expo~1a2b", or "" for every failed delivery. */
function scopeOf(selection: FailedSelection): string {
  if ("batch" in selection) return `in batch ${forTerminal(selection.batch)}`;
  if ("id" in selection) return `in job ${forTerminal(selection.id)}`;
  return "";
}
