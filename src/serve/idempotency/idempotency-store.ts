import { createHash } from "node:crypto";
import type Redis from "ioredis";
import { LuaScript } from "../../redis/lua-script";
import {
  type DoneRecord,
  doneFields,
  type IdempotencyRecord,
  type RunningRecord,
  readRecord,
  runningFields,
} from "./idempotency-record";

/** Whose key it is and where it was sent: the same key on another route or client is another record. */
export interface RecordScope {
  /** `key:<API key id>`, or `ip:<address>` for a request without an API key. */
  client: string;
  method: string;
  /** The route's pattern (`/v1/deliveries`), not the path. */
  route: string;
  idempotencyKey: string;
}

/**
 * `<keyPrefix>:idempotency:<sha256 of the scope>`: the client's key may hold any printable
 * character, so it is hashed into a key of fixed shape rather than escaped.
 */
export function idempotencyRecordKey(keyPrefix: string, scope: RecordScope): string {
  const name = JSON.stringify([scope.client, scope.method, scope.route, scope.idempotencyKey]);
  return `${keyPrefix}:idempotency:${createHash("sha256").update(name).digest("hex")}`;
}

// KEYS[1] the record. ARGV[1] the lease (ms); ARGV[2..] the running record's fields and values.
// Claims the key when it has no record, in one step (no window between the check and the write);
// otherwise returns the record as it is (HGETALL), untouched.
const CLAIM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGETALL', KEYS[1]) end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return false`);

// KEYS[1] the record. ARGV[1] the claim, ARGV[2] the TTL (ms), ARGV[3..] the done record's fields.
// Replaces the record only while it is still this request's claim (its lease may have run out).
const COMPLETE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

// KEYS[1] the record. ARGV[1] the claim. Deletes the record only while it is this request's claim.
const RELEASE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`);

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/** The three steps of a key's life in Redis, one round trip each. */
export class IdempotencyStore {
  constructor(readonly redis: Redis) {}

  /** Claims `key` for `record.claim` for `leaseMs`, or returns the record already there. */
  async claim(key: string, record: RunningRecord, leaseMs: number): Promise<ClaimResult> {
    const reply = (await CLAIM.run(this.redis, [key], [leaseMs, ...runningFields(record)])) as
      | string[]
      | null;
    return reply === null ? { claimed: true } : { claimed: false, existing: readRecord(reply) };
  }

  /** Stores the response for `ttlMs`; false when the claim was lost (its lease ran out). */
  async complete(key: string, claim: string, record: DoneRecord, ttlMs: number): Promise<boolean> {
    const stored = await COMPLETE.run(this.redis, [key], [claim, ttlMs, ...doneFields(record)]);
    return Number(stored) === 1;
  }

  /** Frees the key for a retry; false when the claim was already lost. */
  async release(key: string, claim: string): Promise<boolean> {
    return Number(await RELEASE.run(this.redis, [key], [claim])) === 1;
  }
}
