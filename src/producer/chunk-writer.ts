import { Job, type Queue } from "bullmq";
import type { BatchKeys } from "../batches/batch-keys";
import { REGISTER_ENQUEUED, registrationArgs } from "../batches/batch-registry";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import { execWithScripts } from "../redis/script-transaction";
import type { DeliveryJobEntry } from "./delivery-job-entry";

/** What Redis made of one job of a chunk: the id BullMQ answered, or why it refused the job. */
export type AddOutcome = { jobId: string } | { refused: Error };

/** Redis refused the whole chunk (a MULTI discarded as a whole): none of it was written. */
export class ChunkRefusedError extends Error {
  override name = "ChunkRefusedError";
}

/**
 * Writes a chunk of jobs in one MULTI: BullMQ's own add script per job, then the batch totals
 * (REGISTER_ENQUEUED). Redis runs a transaction whole or not at all, so a total never misses a
 * job that was written, whether Redis goes away (the chunk is then written entirely or not at
 * all) or refuses some adds (out of memory: the totals count what was written). One round trip.
 * A lone job outside any batch needs no transaction: its add is sent alone.
 *
 * Throws ChunkRefusedError when Redis discards the transaction, RedisUnreachableError when it
 * does not answer within the deadline (the chunk may then be written or not).
 */
export async function writeChunk(
  queue: Queue,
  entries: readonly DeliveryJobEntry[],
  batches: BatchKeys | undefined,
  deadline: AnswerDeadline | undefined,
): Promise<AddOutcome[]> {
  const client = await answerWithin(queue.getBackend().client, deadline);
  const inBatches = batches
    ? entries.flatMap(({ opts, data }) =>
        data.batch_id ? [{ jobId: opts.jobId, batchId: data.batch_id, pid: data.pid }] : [],
      )
    : [];
  const [lone] = entries;
  if (lone && entries.length === 1 && inBatches.length === 0) {
    return [await addAlone(queue, client, lone, deadline)];
  }
  const registration =
    batches && inBatches.length > 0
      ? registrationArgs(batches, queue.toKey(""), inBatches, Date.now())
      : undefined;
  // A write after one Redis discarded runs again with BullMQ's scripts loaded (execWithScripts).
  const write = execWithScripts(client, (transaction) => {
    for (const entry of entries) {
      // Queued at once, in order; the promise only hands back the transaction.
      bullJob(queue, entry)
        .addJob(transaction)
        .catch(() => undefined);
    }
    if (registration) transaction.runCommand("eval", [REGISTER_ENQUEUED, 0, ...registration]);
  });
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await answerWithin(write, deadline);
  } catch (error) {
    throw refusedAsAWhole(error) ?? error;
  }
  if (!replies) throw new ChunkRefusedError("Redis discarded the transaction");
  // The totals' own reply (after the adds') needs no reading: the script runs even when Redis is
  // out of memory, and counts only what the adds wrote.
  return entries.map((_, i) => {
    const [error, answer] = replies[i] ?? [new Error("no answer for this job"), undefined];
    if (error) return { refused: error };
    if (typeof answer === "string" && answer !== "") return { jobId: answer };
    return { refused: new Error(`BullMQ answered ${String(answer)} to an add`) };
  });
}

function bullJob(queue: Queue, entry: DeliveryJobEntry): Job {
  const opts = { ...queue.jobsOpts, ...entry.opts };
  return new Job(queue, entry.name, entry.data, opts, entry.opts.jobId);
}

/**
 * One job outside any batch: BullMQ's add script alone, which Redis runs whole or not at all like
 * a transaction, without the cost of one (ioredis builds a transaction object per call, copying
 * every script BullMQ defined onto it). Redis' refusal (a ReplyError: out of memory, read-only)
 * is the job's, as in a transaction; anything else (no answer, connection lost) is thrown.
 */
async function addAlone(
  queue: Queue,
  client: Awaited<ReturnType<Queue["getBackend"]>["client"]>,
  entry: DeliveryJobEntry,
  deadline: AnswerDeadline | undefined,
): Promise<AddOutcome> {
  let answer: unknown;
  try {
    answer = await answerWithin(bullJob(queue, entry).addJob(client), deadline);
  } catch (error) {
    if ((error as { name?: string }).name === "ReplyError") return { refused: error as Error };
    throw error;
  }
  if (typeof answer === "string" && answer !== "") return { jobId: answer };
  return { refused: new Error(`BullMQ answered ${String(answer)} to an add`) };
}

/**
 * Redis' own answer that it discarded the transaction (EXECABORT): nothing of the chunk was
 * written. Its reason (OOM, say) is that of the commands it refused to queue.
 */
function refusedAsAWhole(error: unknown): ChunkRefusedError | undefined {
  const { name, message, previousErrors } = error as {
    name?: string;
    message?: string;
    previousErrors?: { message?: string }[];
  };
  if (name !== "ReplyError" || !message?.startsWith("EXECABORT")) return undefined;
  return new ChunkRefusedError(previousErrors?.[0]?.message ?? message);
}
