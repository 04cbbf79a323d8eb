import { setTimeout as sleep } from "node:timers/promises";
import type { GuestRecord } from "../axelnac/classify";
import { toFailure } from "../outcome";

/** Looks one guest up on the appliance: the record, or null when there is no such guest. */
export type GuestLookup = (pid: string) => Promise<GuestRecord | null>;

/** For each pid, why no SMS can reach that guest (ready to print after `line N: `), or undefined. */
export type GuestCheck = (pids: readonly string[]) => Promise<(string | undefined)[]>;

export const GUEST_NOT_FOUND = "the appliance has no guest with this pid (--verify-guests)";
export const GUEST_WITHOUT_TELEPHONE =
  "the appliance has no telephone for this guest, so no SMS can reach them (--verify-guests)";

export interface GuestVerifierOptions {
  /** How many lookups may be in flight now; asked once per call, at least 1 is used. */
  concurrency: () => Promise<number> | number;
  /** Tries per lookup for a failure a retry can fix (5xx, unreachable, throttled). */
  attempts?: number;
  /** Wait before the second try, doubled for each later one (a 429's Retry-After wins). */
  retryDelayMs?: number;
  /** How a wait is spent; a test records the waits instead. */
  sleep?: (ms: number) => Promise<unknown>;
}

/** Failures another try may fix; anything else (403, a wrong service) stops the import. */
const RETRIED = new Set(["retryable", "unreachable", "throttled"]);

/**
 * Checks the guests of a chunk of rows before they are enqueued: each pid is looked up once, at
 * most `concurrency` at a time. A failure that no retry fixes is thrown, so the import stops
 * before enqueuing rows it could not check.
 */
export function guestVerifier(lookup: GuestLookup, options: GuestVerifierOptions): GuestCheck {
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const wait = options.sleep ?? sleep;

  async function check(pid: string): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const guest = await lookup(pid);
        if (guest === null) return GUEST_NOT_FOUND;
        return guest.telephone ? undefined : GUEST_WITHOUT_TELEPHONE;
      } catch (error) {
        const failure = toFailure(error);
        if (!RETRIED.has(failure.failureClass) || attempt >= attempts) throw error;
        await wait(failure.retryAfterMs ?? retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  return async (pids) => {
    const unique = [...new Set(pids)];
    const problems = new Map<string, string | undefined>();
    const width = Math.max(1, Math.floor(await options.concurrency()));
    let next = 0;
    let stopped = false;
    const lane = async () => {
      // Once one lane failed the import stops: the others take no new pid.
      while (!stopped && next < unique.length) {
        const pid = unique[next++] as string;
        try {
          problems.set(pid, await check(pid));
        } catch (error) {
          stopped = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, unique.length) }, lane));
    return pids.map((pid) => problems.get(pid));
  };
}
