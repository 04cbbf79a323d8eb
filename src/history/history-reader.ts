import type Redis from "ioredis";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import type { DeliveryRecord } from "./delivery-record";
import { type HistoryKeys, type IndexedField, indexRange, jobIdOfEntry } from "./history-keys";
import { decodeRecord } from "./record-encoding";

/** What deliveries to look up: those of a pid, a reference or a batch. */
export interface HistoryQuery {
  field: IndexedField;
  value: string;
}

/** Index entries, and so records, read per round trip. */
const PAGE = 1_000;

/**
 * The record of one delivery job, or undefined when none is kept (never finished, or expired).
 * A job finished more than once (`failed retry`) gives its latest outcome. Two round trips.
 */
export async function readDeliveryRecord(
  redis: Redis,
  keys: HistoryKeys,
  jobId: string,
): Promise<DeliveryRecord | undefined> {
  const buckets = await liveBuckets(redis, keys);
  if (buckets.length === 0) return undefined;
  const pipeline = redis.pipeline();
  for (const until of buckets) pipeline.hget(keys.records(until), jobId);
  const replies = (await pipeline.exec()) ?? [];
  for (const [error, text] of replies) {
    if (error) throw error;
    const record = typeof text === "string" ? decodeRecord(jobId, text) : undefined;
    if (record) return record;
  }
  return undefined;
}

/** A guest's deliveries, newest first, at most `limit`. */
export function readRecordsOfPid(
  redis: Redis,
  keys: HistoryKeys,
  pid: string,
  limit: number,
  deadline?: AnswerDeadline,
): Promise<DeliveryRecord[]> {
  return readNewest(redis, keys, { field: "pid", value: pid }, limit, deadline);
}

/** The deliveries a producer gave this reference, newest first, at most `limit`. */
export function readRecordsOfReference(
  redis: Redis,
  keys: HistoryKeys,
  reference: string,
  limit: number,
  deadline?: AnswerDeadline,
): Promise<DeliveryRecord[]> {
  return readNewest(redis, keys, { field: "reference", value: reference }, limit, deadline);
}

/** A batch's deliveries, newest first, at most `limit`. */
export function readRecordsOfBatch(
  redis: Redis,
  keys: HistoryKeys,
  batchId: string,
  limit: number,
  deadline?: AnswerDeadline,
): Promise<DeliveryRecord[]> {
  return readNewest(redis, keys, { field: "batch", value: batchId }, limit, deadline);
}

/**
 * The newest `limit` records a query finds. Buckets are read newest first and hold successive
 * slices of time, so the reading stops after the bucket that completes the count; memory holds
 * about twice `limit` records, however many a batch has.
 */
export async function readNewest(
  redis: Redis,
  keys: HistoryKeys,
  query: HistoryQuery,
  limit: number,
  deadline?: AnswerDeadline,
): Promise<DeliveryRecord[]> {
  let found: DeliveryRecord[] = [];
  const keepNewest = () => {
    found.sort(newestFirst);
    found = found.slice(0, limit);
  };
  for await (const page of recordPages(redis, keys, query, deadline)) {
    found.push(...page.records);
    if (found.length > 2 * limit) keepNewest();
    if (page.endsBucket && found.length >= limit) break;
  }
  keepNewest();
  return found;
}

/** One round trip's records; `endsBucket`: the last page of its bucket. */
export interface RecordPage {
  records: DeliveryRecord[];
  endsBucket: boolean;
}

/**
 * Every record a query finds, a page at a time, the newest bucket first (in no order within a
 * bucket), each job once: its newest record. The first page of every bucket is asked for in one
 * round trip, so that a guest's few deliveries take three round trips whatever the retention.
 */
export async function* recordPages(
  redis: Redis,
  keys: HistoryKeys,
  query: HistoryQuery,
  deadline?: AnswerDeadline,
): AsyncGenerator<RecordPage> {
  const buckets = await answerWithin(liveBuckets(redis, keys), deadline);
  if (buckets.length === 0) return;
  const { min, max } = indexRange(query.field, query.value);
  const firstPages = redis.pipeline();
  for (const until of buckets)
    firstPages.zrangebylex(keys.index(until), min, max, "LIMIT", 0, PAGE);
  const firstReplies = (await answerWithin(firstPages.exec(), deadline)) ?? [];
  const seen = new Set<string>();
  for (const [i, until] of buckets.entries()) {
    const [error, first] = firstReplies[i] ?? [null, []];
    if (error) throw error;
    let entries = first as string[];
    for (let offset = 0; ; ) {
      const ids = entries.map((entry) => jobIdOfEntry(query.field, query.value, entry));
      const records = await answerWithin(readRecords(redis, keys.records(until), ids), deadline);
      const fresh = records.filter((record) => matches(record, query) && !seen.has(record.jobId));
      for (const record of fresh) seen.add(record.jobId);
      const endsBucket = entries.length < PAGE;
      yield { records: fresh, endsBucket };
      if (endsBucket) break;
      offset += PAGE;
      entries = await answerWithin(
        redis.zrangebylex(keys.index(until), min, max, "LIMIT", offset, PAGE),
        deadline,
      );
    }
  }
}

/** The buckets that have not expired, newest first. */
async function liveBuckets(redis: Redis, keys: HistoryKeys): Promise<number[]> {
  const members = await redis.zrevrangebyscore(keys.buckets, "+inf", `(${Date.now()}`);
  return members.map(Number).filter((until) => Number.isSafeInteger(until));
}

async function readRecords(
  redis: Redis,
  recordsKey: string,
  jobIds: string[],
): Promise<DeliveryRecord[]> {
  if (jobIds.length === 0) return [];
  const texts = await redis.hmget(recordsKey, ...jobIds);
  return texts.flatMap((text, i) => {
    const record = text === null ? undefined : decodeRecord(jobIds[i] as string, text);
    return record ? [record] : [];
  });
}

/** The index is only a way in: the record itself must say the value looked for. */
function matches(record: DeliveryRecord, query: HistoryQuery): boolean {
  const field = { pid: record.pid, reference: record.reference, batch: record.batchId };
  return field[query.field] === query.value;
}

/** Newest finish first; ISO 8601 times of one format sort as text. */
export function newestFirst(a: DeliveryRecord, b: DeliveryRecord): number {
  return a.finishedAt < b.finishedAt ? 1 : a.finishedAt > b.finishedAt ? -1 : 0;
}
