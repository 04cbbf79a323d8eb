import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { Logger } from "../logging/logger";
import { toFailure } from "../outcome";
import type { KeyRing } from "../secrets";
import { explainLoginRejection } from "./busy-login";
import { LoginBackoffError } from "./errors";
import { type TokenLifetimes, TokenStore } from "./token-store";

export interface TokenManagerOptions {
  /** A connection of this manager's own; a second one is duplicated from it to wait for refreshes. */
  redis: Redis;
  keyPrefix: string;
  /** Logs in to the appliance and returns a token; a failure it throws is read with `toFailure`. */
  login: () => Promise<string>;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  /** Refresh this long before either deadline, to absorb clock drift and request latency. */
  refreshMarginMs: number;
  /** Longer than the slowest login: a holder that died mid-login is replaced when it runs out. */
  lockTtlMs: number;
  loginBackoff: { initialMs: number; maxMs: number };
  /** Seals the token in Redis (JOB_ENCRYPTION_KEYS); absent, it is stored in plaintext. */
  keyRing?: KeyRing;
  logger: Logger;
  /** Told of each login this process makes: `ok`, or the failure's code. For metrics. */
  onLogin?: (result: "ok" | { code: string }) => void;
}

interface CachedToken {
  token: string;
  /** Local clock deadline, derived from the Redis TTL when the token was read or touched. */
  expiresAt: number;
  touchedAt: number;
}

/**
 * One API token for the whole fleet. The steady state costs no Redis round trip per request:
 * the token is cached in-process and its idle deadline in Redis is extended at most every
 * `touchIntervalMs`. A dead token is replaced by exactly one login fleet-wide: an in-process
 * single flight in front of a Redis lock, with waiters woken by pub/sub rather than polling.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #store: TokenStore;
  readonly #lifetimes: TokenLifetimes;
  readonly #touchIntervalMs: number;
  readonly #owner = randomUUID();
  #cached: CachedToken | undefined;
  #refreshing: Promise<string> | undefined;
  #subscriber: Redis | undefined;
  #wakeWaiters: Array<() => void> = [];
  /** Counts refresh announcements, so a wait never sleeps through one that came just before it. */
  #announcements = 0;
  #closed = false;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#store = new TokenStore(options.redis, options.keyPrefix, options.keyRing);
    this.#lifetimes = {
      idleMs: Math.max(1, options.idleTimeoutMs - options.refreshMarginMs),
      lifetimeMs: Math.max(1, options.maxLifetimeMs - options.refreshMarginMs),
    };
    this.#touchIntervalMs = Math.max(1, Math.min(60_000, Math.floor(this.#lifetimes.idleMs / 4)));
  }

  /** A token believed valid. Throws the login failure, or `LoginBackoffError` while logins are held back. */
  async getToken(): Promise<string> {
    const cached = this.#cached;
    const now = Date.now();
    if (cached && now < cached.expiresAt) {
      if (now - cached.touchedAt >= this.#touchIntervalMs) this.#touch(cached, now);
      return cached.token;
    }
    this.#cached = undefined;
    this.#refreshing ??= this.#obtain().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * Called after the appliance answered 401 to `token`. Forgets it here and in Redis, but only
   * if it is still the current one: another process may already have replaced it.
   */
  async invalidate(token: string): Promise<void> {
    if (this.#cached?.token === token) this.#cached = undefined;
    if (await this.#store.invalidate(token)) {
      this.#options.logger.info(
        "API token rejected by the appliance; discarded for the whole fleet",
      );
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) subscriber.disconnect();
  }

  #touch(cached: CachedToken, now: number): void {
    cached.touchedAt = now;
    this.#store.touch(cached.token, this.#lifetimes).then(
      (ttl) => {
        if (this.#cached !== cached) return;
        if (ttl > 0) cached.expiresAt = now + ttl;
        else this.#cached = undefined;
      },
      (error: unknown) =>
        this.#options.logger.warn({ err: error }, "could not extend the API token's life in Redis"),
    );
  }

  async #obtain(): Promise<string> {
    // Subscribe before the first read: an announcement between read and wait must not be missed.
    await this.#subscribe();
    for (;;) {
      if (this.#closed) throw new Error("token manager closed");
      const seen = this.#announcements;
      const stored = await this.#readUsable();
      if (stored) return this.#adopt(stored.token, stored.ttlMs);

      const failure = await this.#store.readLoginFailure();
      if (failure) {
        throw new LoginBackoffError(
          failure.failureClass,
          failure.code,
          failure.retryInMs,
          failure.attempts,
          failure.message,
        );
      }

      if (await this.#store.acquireLock(this.#owner, this.#options.lockTtlMs)) {
        try {
          // Another process may have stored a token between our read and our lock.
          const fresh = await this.#readUsable();
          if (fresh) return this.#adopt(fresh.token, fresh.ttlMs);
          return await this.#loginAndStore();
        } finally {
          await this.#store.releaseLock(this.#owner).catch(() => undefined);
        }
      }
      await this.#waitForRefresh(seen);
    }
  }

  /** The stored token if this process can open it; one it cannot is replaced by a login. */
  async #readUsable(): Promise<{ token: string; ttlMs: number } | undefined> {
    const stored = await this.#store.read();
    if (stored && "unreadable" in stored) {
      this.#options.logger.warn(
        { reason: stored.unreadable },
        `the fleet's API token in Redis cannot be read (${stored.unreadable}); logging in again`,
      );
      return undefined;
    }
    return stored;
  }

  async #loginAndStore(): Promise<string> {
    const { logger, login, loginBackoff } = this.#options;
    const startedAt = Date.now();
    let token: string;
    try {
      token = await login();
    } catch (thrown) {
      const error = explainLoginRejection(
        thrown,
        await this.#store.lastLoginAgoMs().catch(() => undefined),
      );
      // An unclassified throw (a bug in `login`) is held back like an appliance that does not answer.
      const failure = toFailure(error, {
        code: "AXELNAC_LOGIN_FAILED",
        failureClass: "unreachable",
      });
      const { code, message } = failure;
      this.#options.onLogin?.({ code });
      const { attempts, backoffMs, causeChanged } = await this.#store.recordLoginFailure(
        failure,
        loginBackoff,
      );
      // One clear line when logins start failing and whenever the reason changes (the appliance
      // came back with a wrong password, say); repeats of the same reason are quieter.
      logger[causeChanged ? "error" : "debug"](
        { code, attempts, nextAttemptInMs: backoffMs },
        `login to AxelNAC failed: ${message}`,
      );
      throw error;
    }
    this.#options.onLogin?.("ok");
    await this.#store.store(token, this.#lifetimes);
    logger.info(
      { loginMs: Date.now() - startedAt },
      "logged in to AxelNAC; new API token shared with the fleet",
    );
    return this.#adopt(token, Math.min(this.#lifetimes.idleMs, this.#lifetimes.lifetimeMs));
  }

  #adopt(token: string, ttlMs: number): string {
    const now = Date.now();
    this.#cached = { token, expiresAt: now + ttlMs, touchedAt: now };
    return token;
  }

  /** Sleeps until a refresh is announced or the lock may have been abandoned, whichever is first. */
  async #waitForRefresh(seen: number): Promise<void> {
    const lockTtl = await this.#store.lockTtl();
    if (this.#announcements !== seen) return;
    const timeoutMs = lockTtl > 0 ? Math.min(lockTtl + 10, 1_000) : 10;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeWaiters.push(done);
    });
  }

  async #subscribe(): Promise<void> {
    if (this.#subscriber) return;
    const subscriber = this.#options.redis.duplicate();
    this.#subscriber = subscriber;
    subscriber.on("message", () => {
      this.#announcements++;
      this.#wake();
    });
    subscriber.on("error", (error) =>
      this.#options.logger.debug({ err: error }, "token refresh subscriber error"),
    );
    await subscriber.subscribe(this.#store.channel);
  }

  #wake(): void {
    const waiters = this.#wakeWaiters;
    this.#wakeWaiters = [];
    for (const wake of waiters) wake();
  }
}
