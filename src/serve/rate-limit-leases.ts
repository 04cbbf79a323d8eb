import type Redis from "ioredis";
import { LuaScript } from "../redis/lua-script";

/**
 * Grants up to ARGV[1] requests of a window whose count is KEYS[1], never beyond ARGV[2] in all,
 * and starts the window (ARGV[3] ms) with its first grant (the key exists then: a grant of 0
 * means the count is at the limit). Answers the count after the grant, the
 * grant (0 once the window's requests are all granted) and the window's remaining milliseconds.
 */
const LEASE = new LuaScript(`
local granted = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
local grant = math.max(0, math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - granted))
if grant > 0 then
  redis.call('INCRBY', KEYS[1], grant)
end
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  ttl = tonumber(ARGV[3])
end
return {granted + grant, grant, ttl}
`);

/** At most this many requests are leased at once, whatever the limit. */
const LARGEST_LEASE = 1_000;

/** The share of the window's limit one lease takes: what an idle instance can hold back from the others. */
const LEASE_SHARE = 100;

/** What @fastify/rate-limit expects of a store: the count of a key's window so far, and the window's rest. */
export interface RateLimitCount {
  current: number;
  ttl: number;
}
type Counted = (error: Error | null, count?: RateLimitCount) => void;

/** A key's lease in the current window: the requests it may still admit without asking Redis. */
interface Lease {
  /** Requests granted to the whole fleet in this window when this lease was taken. */
  granted: number;
  remaining: number;
  /** When the window ends, on this process' clock. */
  endsAt: number;
  /** Redis granted nothing: the window's limit is reached for every instance. */
  exhausted: boolean;
}

/**
 * A rate-limit store (for @fastify/rate-limit) that counts each key's window in Redis, shared by
 * every `serve` instance, without a Redis round trip per request: an instance leases a block of
 * the window's requests (1 % of the limit, at most 1,000; a single request for a limit under 100)
 * and admits them from memory, asking Redis again only when the block is spent. Redis never
 * grants more than the limit in a window, so the fleet never admits more; what an instance
 * leased and did not use is lost to the others until the window ends (at most one block per
 * instance), which can refuse a request slightly before the limit, never after it.
 * Requests of one key arriving while its lease is being taken wait for that one answer.
 */
export class LeasedRateLimitStore {
  readonly #leases = new Map<string, Lease>();
  readonly #leasing = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    /** Where the windows' counts live: the key is appended. */
    private readonly keyPrefix: string,
  ) {}

  incr(key: string, counted: Counted, windowMs: number, max: number): void {
    const count = this.#admitFromLease(key, max);
    if (count) {
      counted(null, count);
      return;
    }
    this.#countWithNewLease(key, windowMs, max).then(
      (leased) => counted(null, leased),
      (error: Error) => counted(error),
    );
  }

  /** Every route counts against its key's one window: the limit is per key, not per route. */
  child(): LeasedRateLimitStore {
    return this;
  }

  /** The request counted from the key's lease, when it has one for this window that can answer. */
  #admitFromLease(key: string, max: number): RateLimitCount | undefined {
    const now = Date.now();
    const lease = this.#leases.get(key);
    if (!lease || now >= lease.endsAt || (lease.remaining === 0 && !lease.exhausted)) {
      return undefined;
    }
    const ttl = lease.endsAt - now;
    if (lease.exhausted) return { current: max + 1, ttl };
    lease.remaining -= 1;
    return { current: lease.granted - lease.remaining, ttl };
  }

  /**
   * Takes a lease (or waits for the one being taken), then counts the request from it, checked
   * and spent in one step: the requests that waited with it may have spent it first.
   */
  async #countWithNewLease(key: string, windowMs: number, max: number): Promise<RateLimitCount> {
    for (;;) {
      await this.#lease(key, windowMs, max);
      const count = this.#admitFromLease(key, max);
      if (count) return count;
    }
  }

  #lease(key: string, windowMs: number, max: number): Promise<void> {
    const pending = this.#leasing.get(key);
    if (pending) return pending;
    const size = Math.min(LARGEST_LEASE, Math.ceil(max / LEASE_SHARE));
    const leasing = LEASE.run(this.redis, [this.keyPrefix + key], [size, max, windowMs])
      .then((answer) => {
        const [granted, grant, ttl] = answer as [number, number, number];
        this.#leases.set(key, {
          granted,
          remaining: grant,
          endsAt: Date.now() + ttl,
          exhausted: grant === 0,
        });
      })
      .finally(() => this.#leasing.delete(key));
    this.#leasing.set(key, leasing);
    return leasing;
  }
}
