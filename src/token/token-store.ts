import type Redis from "ioredis";
import { type Failure, type FailureClass, isFailureClass } from "../outcome";
import { doublingDelay, NOW_MS } from "../redis/lua";
import type { KeyRing } from "../secrets";
import { openToken, sealToken, tokenFingerprint } from "./token-sealing";

/**
 * The fleet's shared API token in Redis, and the lock and back-off state around its refresh.
 *
 * Keys (under the configured prefix):
 * - `token`          hash {token, fingerprint, issuedAt}; `token` is sealed when there is a key
 *                    ring (token-sealing.ts), and processes compare fingerprints, not tokens. Its
 *                    TTL is the token's remaining useful life as the fleet knows it, so every host
 *                    reads the same deadline whatever its clock.
 * - `token:lock`     the refresh lock, `SET NX PX`, released by compare-and-delete.
 * - `token:login-failure` hash {attempts, code, message, retryAt} while logins fail.
 * - `token:last-login` the time of the last successful login, for a token's maximum lifetime: a
 *                    401 soon after one may not mean a wrong password (busy-login.ts).
 * - channel `token:refreshed` tells waiting processes that a new token is there.
 *
 * Times inside scripts come from Redis' own clock (TIME), never from a host's.
 */

// KEYS[1] token hash. Returns {token, pttl} or nil.
const READ = `
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return nil end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return nil end
return {token, ttl}`;

// KEYS[1] token hash, KEYS[2] login-failure hash, KEYS[3] last-login time. ARGV: stored token,
// fingerprint, idleMs, lifetimeMs (both net of margins), channel.
const STORE = `
${NOW_MS}
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fingerprint', ARGV[2], 'issuedAt', now)
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[3]), tonumber(ARGV[4])))
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], now, 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[5], 'refreshed')
return 1`;

// KEYS[1] token hash. ARGV: fingerprint, idleMs, lifetimeMs. Extends the idle deadline after a use,
// never past the lifetime cap, and only if the hash still holds that very token. Returns the new TTL or 0.
const TOUCH = `
if redis.call('HGET', KEYS[1], 'fingerprint') ~= ARGV[1] then return 0 end
${NOW_MS}
local issuedAt = tonumber(redis.call('HGET', KEYS[1], 'issuedAt'))
local ttl = math.min(tonumber(ARGV[2]), issuedAt + tonumber(ARGV[3]) - now)
if ttl <= 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('PEXPIRE', KEYS[1], ttl)
return ttl`;

// KEYS[1] hash or key, ARGV[1] field name or '' for a plain key, ARGV[2] expected value.
const COMPARE_AND_DELETE = `
local current
if ARGV[1] == '' then current = redis.call('GET', KEYS[1]) else current = redis.call('HGET', KEYS[1], ARGV[1]) end
if current == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS[1] login-failure hash. ARGV: code, failureClass, message, initialBackoffMs, maxBackoffMs,
// memoryMs, channel. Waiters are woken so they learn of the failure at once.
const RECORD_LOGIN_FAILURE = `
${NOW_MS}
local previous = redis.call('HMGET', KEYS[1], 'code', 'message')
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
${doublingDelay("backoff", "ARGV[4]", "ARGV[5]")}
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'failureClass', ARGV[2], 'message', ARGV[3], 'retryAt', now + backoff)
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[6]), backoff))
redis.call('PUBLISH', ARGV[7], 'login-failed')
local changed = 0
if previous[1] ~= ARGV[1] or previous[2] ~= ARGV[3] then changed = 1 end
return {attempts, backoff, changed}`;

// KEYS[1] last-login time. Returns how long ago, or nil.
const LAST_LOGIN_AGO = `
local at = redis.call('GET', KEYS[1])
if not at then return nil end
${NOW_MS}
return now - tonumber(at)`;

// KEYS[1] login-failure hash. Returns {attempts, code, failureClass, message, retryInMs} while
// logins are held back.
const READ_LOGIN_FAILURE = `
local f = redis.call('HMGET', KEYS[1], 'attempts', 'code', 'failureClass', 'message', 'retryAt')
if not f[5] then return nil end
${NOW_MS}
local wait = tonumber(f[5]) - now
if wait <= 0 then return nil end
return {f[1], f[2], f[3], f[4], wait}`;

export type StoredToken =
  | { token: string; ttlMs: number }
  /** Redis holds a token this process cannot open (a key it lacks): treated as none, and said why. */
  | { unreadable: string };

export interface LoginFailure {
  attempts: number;
  code: string;
  failureClass: FailureClass;
  message: string;
  retryInMs: number;
}

export interface TokenLifetimes {
  /** Idle timeout less the safety margin. */
  idleMs: number;
  /** Maximum lifetime less the safety margin. */
  lifetimeMs: number;
}

export class TokenStore {
  readonly #redis: Redis;
  readonly #keys: {
    token: string;
    lock: string;
    failure: string;
    lastLogin: string;
    channel: string;
  };

  readonly #keyRing: KeyRing | undefined;

  constructor(redis: Redis, prefix: string, keyRing?: KeyRing) {
    this.#redis = redis;
    this.#keyRing = keyRing;
    this.#keys = {
      token: `${prefix}:token`,
      lock: `${prefix}:token:lock`,
      failure: `${prefix}:token:login-failure`,
      lastLogin: `${prefix}:token:last-login`,
      channel: `${prefix}:token:refreshed`,
    };
  }

  get channel(): string {
    return this.#keys.channel;
  }

  async read(): Promise<StoredToken | undefined> {
    const result = (await this.#redis.eval(READ, 1, this.#keys.token)) as [string, number] | null;
    if (!result) return undefined;
    const opened = openToken(this.#keyRing, result[0], this.#keys.token);
    return opened.ok
      ? { token: opened.token, ttlMs: Number(result[1]) }
      : { unreadable: opened.reason };
  }

  async store(token: string, lifetimes: TokenLifetimes): Promise<void> {
    await this.#redis.eval(
      STORE,
      3,
      this.#keys.token,
      this.#keys.failure,
      this.#keys.lastLogin,
      sealToken(this.#keyRing, token, this.#keys.token),
      tokenFingerprint(token),
      lifetimes.idleMs,
      lifetimes.lifetimeMs,
      this.#keys.channel,
    );
  }

  /** Records a use of `token`; returns its remaining life in ms, 0 when Redis no longer holds it. */
  async touch(token: string, lifetimes: TokenLifetimes): Promise<number> {
    const ttl = await this.#redis.eval(
      TOUCH,
      1,
      this.#keys.token,
      tokenFingerprint(token),
      lifetimes.idleMs,
      lifetimes.lifetimeMs,
    );
    return Number(ttl);
  }

  /** Deletes the shared token only if it is still `token`: a stale 401 must not discard a newer one. */
  async invalidate(token: string): Promise<boolean> {
    const fingerprint = tokenFingerprint(token);
    const deleted = await this.#redis.eval(
      COMPARE_AND_DELETE,
      1,
      this.#keys.token,
      "fingerprint",
      fingerprint,
    );
    return deleted === 1;
  }

  async acquireLock(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#keys.lock, owner, "PX", ttlMs, "NX")) === "OK";
  }

  async releaseLock(owner: string): Promise<void> {
    await this.#redis.eval(COMPARE_AND_DELETE, 1, this.#keys.lock, "", owner);
  }

  async lockTtl(): Promise<number> {
    return this.#redis.pttl(this.#keys.lock);
  }

  /** How long ago a login of this fleet last succeeded (Redis' clock), if within a token's lifetime. */
  async lastLoginAgoMs(): Promise<number | undefined> {
    const ago = await this.#redis.eval(LAST_LOGIN_AGO, 1, this.#keys.lastLogin);
    return ago === null ? undefined : Number(ago);
  }

  async recordLoginFailure(
    failure: Pick<Failure, "code" | "failureClass" | "message">,
    backoff: { initialMs: number; maxMs: number },
  ): Promise<{ attempts: number; backoffMs: number; causeChanged: boolean }> {
    const [attempts, backoffMs, changed] = (await this.#redis.eval(
      RECORD_LOGIN_FAILURE,
      1,
      this.#keys.failure,
      failure.code,
      failure.failureClass,
      failure.message,
      backoff.initialMs,
      backoff.maxMs,
      // Remember the attempt count well past the back-off so it keeps growing.
      Math.max(3_600_000, backoff.maxMs * 4),
      this.#keys.channel,
    )) as [number, number, number];
    return {
      attempts: Number(attempts),
      backoffMs: Number(backoffMs),
      causeChanged: Number(changed) === 1,
    };
  }

  async readLoginFailure(): Promise<LoginFailure | undefined> {
    const result = (await this.#redis.eval(READ_LOGIN_FAILURE, 1, this.#keys.failure)) as
      | [string, string, string, string, number]
      | null;
    if (!result) return undefined;
    return {
      attempts: Number(result[0]),
      code: result[1],
      // Written by another process, perhaps of another version: an unknown class reads as unreachable.
      failureClass: isFailureClass(result[2]) ? result[2] : "unreachable",
      message: result[3],
      retryInMs: Number(result[4]),
    };
  }
}
