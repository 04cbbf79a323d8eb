import { z } from "zod";

/**
 * An Idempotency-Key's record, a Redis hash:
 *
 * - while the first request runs: {state: "running", fingerprint, claim (a random id of that
 *   request, so that only it may complete or release the record), startedAt (ms)}, kept for the
 *   running lease;
 * - once it answered: {state: "done", fingerprint, status, contentType?, body, bodyEncoding
 *   ("utf8" or "base64"), storedAt (ms)}, kept IDEMPOTENCY_TTL.
 *
 * The fingerprint is a keyed hash (fingerprint.ts); the body is the response, which never holds
 * a password.
 */
export interface RunningRecord {
  state: "running";
  fingerprint: string;
  claim: string;
  startedAt: number;
}

/** A response as the first request sent it, for replay. */
export interface StoredResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer | string;
}

export interface DoneRecord {
  state: "done";
  fingerprint: string;
  response: StoredResponse;
  storedAt: number;
}

export type IdempotencyRecord = RunningRecord | DoneRecord;

const millis = z.coerce.number().int().nonnegative();

const recordFields = z.discriminatedUnion("state", [
  z.object({
    state: z.literal("running"),
    fingerprint: z.string().min(1),
    claim: z.string().min(1),
    startedAt: millis,
  }),
  z.object({
    state: z.literal("done"),
    fingerprint: z.string().min(1),
    status: z.coerce.number().int().min(100).max(599),
    contentType: z.string().optional(),
    body: z.string(),
    bodyEncoding: z.enum(["utf8", "base64"]),
    storedAt: millis,
  }),
]);

/** The hash's fields, in HSET's flat field/value order. */
export function runningFields(record: RunningRecord): string[] {
  return [
    "state",
    record.state,
    "fingerprint",
    record.fingerprint,
    "claim",
    record.claim,
    "startedAt",
    String(record.startedAt),
  ];
}

export function doneFields(record: DoneRecord): string[] {
  const { body } = record.response;
  const fields = [
    "state",
    record.state,
    "fingerprint",
    record.fingerprint,
    "status",
    String(record.response.status),
    "body",
    typeof body === "string" ? body : body.toString("base64"),
    "bodyEncoding",
    typeof body === "string" ? "utf8" : "base64",
    "storedAt",
    String(record.storedAt),
  ];
  if (record.response.contentType !== undefined) {
    fields.push("contentType", record.response.contentType);
  }
  return fields;
}

/** A record from HGETALL's flat reply; throws, naming the problem, on a hash that is not one. */
export function readRecord(flat: string[]): IdempotencyRecord {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  const parsed = recordFields.safeParse(hash);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "state").join(", ");
    throw new Error(`an idempotency record is malformed (fields: ${fields})`);
  }
  const fields = parsed.data;
  if (fields.state === "running") return fields;
  return {
    state: "done",
    fingerprint: fields.fingerprint,
    storedAt: fields.storedAt,
    response: {
      status: fields.status,
      contentType: fields.contentType,
      body: fields.bodyEncoding === "utf8" ? fields.body : Buffer.from(fields.body, "base64"),
    },
  };
}
