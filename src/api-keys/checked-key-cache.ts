import { timingSafeEqual } from "node:crypto";
import type { KeyCheck } from "./api-key-store";

/** How long a checked key is believed without asking Redis again: a revocation elsewhere takes this long. */
export const DEFAULT_CHECK_CACHE_MS = 5_000;

/** Keys remembered at most; past it the oldest is forgotten (one per client is the usual count). */
const MAX_ENTRIES = 10_000;

interface Entry {
  /** SHA-256 of the secret that was checked: the secret itself is not kept. */
  secretHash: Buffer;
  check: Exclude<KeyCheck, { status: "invalid" }>;
  expiresAt: number;
}

/**
 * What checking a key found, for a few seconds, so that a client's every request does not cost a
 * Redis round trip. Only keys found valid or revoked are remembered (an invalid one could be a
 * flood of guesses, and costs nothing to refuse again); a hit needs the same secret, compared in
 * constant time. A key revoked through this process is forgotten at once; revoked by another
 * process (`api-keys revoke`), it is refused within `ttlMs`.
 */
export class CheckedKeyCache {
  readonly #entries = new Map<string, Entry>();

  constructor(readonly ttlMs: number = DEFAULT_CHECK_CACHE_MS) {}

  get(id: string, secretHash: Buffer, now = Date.now()): KeyCheck | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(id);
      return undefined;
    }
    return timingSafeEqual(entry.secretHash, secretHash) ? entry.check : undefined;
  }

  set(id: string, secretHash: Buffer, check: KeyCheck, now = Date.now()): void {
    if (this.ttlMs <= 0 || check.status === "invalid") return;
    this.#entries.delete(id);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(id, { secretHash, check, expiresAt: now + this.ttlMs });
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}
