import type { Queue } from "bullmq";
import type Redis from "ioredis";
import {
  type FailedJobView,
  LISTED_PER_ROUND_TRIP,
  viewFailedJobs,
} from "../../batches/failed-jobs";
import { batchOfJobId } from "../../jobs/job-id";
import { type AnswerDeadline, answerWithin } from "../../redis/answer-within";
import { ApiError } from "../api-error";

/** Ids read from the failed set per round trip while looking for a batch's. */
const IDS_PER_ROUND_TRIP = 500;

export interface FailedPage {
  views: FailedJobView[];
  /** Where the next page starts; null on the last. */
  nextCursor: string | null;
}

/**
 * Where a page ended: the failed set's score (the time the job failed) and id of its last job.
 * The set is read newest first, ties by id in reverse byte order, as Redis orders them, so the
 * next page starts right after that job even when jobs before it were retried or purged meanwhile.
 */
interface Position {
  score: number;
  id: string;
}

/**
 * One page of a batch's failed deliveries, newest first: the jobs' ids are read from the failed
 * set a slice at a time and only the fields `failed list` shows leave Redis, never a password. A
 * job without the batch in its id (a plain producer's) is kept when its data names the batch.
 */
export async function readFailedPage(
  { queue, redis, deadline }: { queue: Queue; redis: Redis; deadline?: AnswerDeadline | undefined },
  batchId: string,
  limit: number,
  cursor: string | undefined,
): Promise<FailedPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const failedKey = queue.toKey("failed");
  // One more than the page, to know whether another page follows.
  const found: { view: FailedJobView; position: Position }[] = [];
  for (let offset = 0; found.length <= limit; offset += IDS_PER_ROUND_TRIP) {
    const answer = await answerWithin(
      redis.zrevrangebyscore(
        failedKey,
        after === undefined ? "+inf" : after.score,
        "-inf",
        "WITHSCORES",
        "LIMIT",
        offset,
        IDS_PER_ROUND_TRIP,
      ),
      deadline,
    );
    const positions = new Map<string, Position>();
    for (let at = 0; at < answer.length; at += 2) {
      const position = { id: answer[at] as string, score: Number(answer[at + 1]) };
      const batch = batchOfJobId(position.id);
      if ((batch === undefined || batch === batchId) && isAfter(position, after)) {
        positions.set(position.id, position);
      }
    }
    const ids = [...positions.keys()];
    for (let at = 0; at < ids.length && found.length <= limit; at += LISTED_PER_ROUND_TRIP) {
      const slice = ids.slice(at, at + LISTED_PER_ROUND_TRIP);
      for (const view of await viewFailedJobs(queue, redis, slice, deadline)) {
        if (view.batch === batchId)
          found.push({ view, position: positions.get(view.id) as Position });
      }
    }
    if (answer.length < IDS_PER_ROUND_TRIP * 2) break;
  }
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    views: page.map(({ view }) => view),
    nextCursor: found.length > limit && last ? encodeCursor(last.position) : null,
  };
}

/** Whether a job comes after the cursor's in the set's order (newest first, ties by id descending). */
function isAfter(position: Position, cursor: Position | undefined): boolean {
  if (cursor === undefined || position.score < cursor.score) return true;
  return (
    position.score === cursor.score &&
    Buffer.compare(Buffer.from(position.id), Buffer.from(cursor.id)) < 0
  );
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.score, position.id])).toString("base64url");
}

function decodeCursor(cursor: string): Position {
  try {
    const [score, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof score === "number" && Number.isFinite(score) && typeof id === "string") {
      return { score, id };
    }
  } catch {
    // Said below, as any cursor this server did not give.
  }
  throw new ApiError(
    400,
    "API_CURSOR_INVALID",
    "cursor: not one this API gave; pass the nextCursor of the page before, or none for the first page",
  );
}
