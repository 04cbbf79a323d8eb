import { z } from "zod";
import { type DeliveryRecord, deliveryRecordSchema } from "./delivery-record";
import { lastConversion } from "./last-conversion";

/**
 * A delivery record as stored: a JSON object with one-letter keys and times in milliseconds,
 * under its job id (the hash field, so not repeated). About half the bytes of the record's own
 * JSON; a new optional field is a new letter, and an older reader ignores it.
 */
const storedSchema = z.object({
  p: z.string(),
  b: z.string().optional(),
  r: z.string().optional(),
  o: z.enum(["d", "f", "c"]),
  c: z.string().optional(),
  x: z.string().optional(),
  a: z.number().int().min(0),
  e: z.number().int(),
  f: z.number().int(),
  s: z.number().int().optional(),
  m: z.string().optional(),
  k: z.string().optional(),
});

type Stored = z.output<typeof storedSchema>;

const OUTCOME_LETTER = { delivered: "d", failed: "f", cancelled: "c" } as const;
const OUTCOME_OF_LETTER = { d: "delivered", f: "failed", c: "cancelled" } as const;

// One per field, as record-of-job.ts formats them: consecutive records mostly repeat each.
const enqueuedMs = lastConversion(Date.parse);
const finishedMs = lastConversion(Date.parse);

/** When the record's delivery finished, in ms since the epoch. */
export function recordFinishedMs(record: DeliveryRecord): number {
  return finishedMs(record.finishedAt);
}

/** The stored text of a record (its job id is the field it is stored under). */
export function encodeRecord(record: DeliveryRecord): string {
  const stored: Stored = {
    p: record.pid,
    b: record.batchId,
    r: record.reference,
    o: OUTCOME_LETTER[record.outcome],
    c: record.code,
    x: record.message,
    a: record.attempts,
    e: enqueuedMs(record.enqueuedAt),
    f: finishedMs(record.finishedAt),
    s: record.applianceStatus,
    m: record.applianceMessage,
    k: record.submittedBy,
  };
  // JSON.stringify leaves out the undefined ones.
  return JSON.stringify(stored);
}

/**
 * The record stored under `jobId`, validated with the record's schema; undefined for a text no
 * version of the courier wrote (so one bad field hides one record, not a whole answer).
 */
export function decodeRecord(jobId: string, text: string): DeliveryRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const stored = storedSchema.safeParse(json);
  if (!stored.success) return undefined;
  const s = stored.data;
  const record = deliveryRecordSchema.safeParse({
    jobId,
    pid: s.p,
    batchId: s.b,
    reference: s.r,
    outcome: OUTCOME_OF_LETTER[s.o],
    code: s.c,
    message: s.x,
    attempts: s.a,
    enqueuedAt: isoTime(s.e),
    finishedAt: isoTime(s.f),
    applianceStatus: s.s,
    applianceMessage: s.m,
    submittedBy: s.k,
  });
  return record.success ? withoutUndefined(record.data) : undefined;
}

function isoTime(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The record without the keys it has no value for, as the API and `--json` print it. */
function withoutUndefined(record: DeliveryRecord): DeliveryRecord {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as DeliveryRecord;
}
