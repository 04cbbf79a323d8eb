import { randomBytes } from "node:crypto";

export interface TokenSession {
  username: string;
  createdAt: number;
  lastUsedAt: number;
}

export type TokenCheck =
  | { ok: true; session: TokenSession }
  /** `unknown`: never issued, revoked or idle-expired; `too-old`: past the maximum lifetime. */
  | { ok: false; reason: "unknown" | "too-old" };

export interface TokenLifetimes {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
}

/**
 * The appliance's token table. Expiry is computed from timestamps when a token is used, so no
 * timer runs per token. As on PacketFence, an idle-expired token is simply gone (it reads as
 * unknown) and only a live token past the maximum lifetime gets "too-old".
 */
export class SessionTable {
  readonly #sessions = new Map<string, TokenSession>();

  constructor(
    private readonly lifetimes: TokenLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token of 32 random bytes in lowercase hex. Older tokens stay valid. */
  issue(username: string): string {
    this.#sweep();
    const token = randomBytes(32).toString("hex");
    const at = this.now();
    this.#sessions.set(token, { username, createdAt: at, lastUsedAt: at });
    return token;
  }

  /**
   * Checks a token and, when `extend`, restarts its idle timer: as on the appliance, before the
   * lifetime check, so a token past its maximum lifetime is still touched (docs/axelnac-api.md §2).
   */
  check(token: string, extend: boolean): TokenCheck {
    const session = this.#sessions.get(token);
    const at = this.now();
    if (!session || at - session.lastUsedAt >= this.lifetimes.idleTimeoutMs) {
      this.#sessions.delete(token);
      return { ok: false, reason: "unknown" };
    }
    if (extend) session.lastUsedAt = at;
    if (at - session.createdAt >= this.lifetimes.maxLifetimeMs) {
      return { ok: false, reason: "too-old" };
    }
    return { ok: true, session };
  }

  /** When the token dies if left alone: the idle deadline, capped by the maximum lifetime. */
  expiresAt(session: TokenSession): number {
    return Math.min(
      session.lastUsedAt + this.lifetimes.idleTimeoutMs,
      session.createdAt + this.lifetimes.maxLifetimeMs,
    );
  }

  /** Forgets every token; returns how many there were. */
  revokeAll(): number {
    const count = this.#sessions.size;
    this.#sessions.clear();
    return count;
  }

  /** Drops dead tokens so a long run of logins does not grow the table forever. */
  #sweep(): void {
    const at = this.now();
    for (const [token, session] of this.#sessions) {
      const idle = at - session.lastUsedAt >= this.lifetimes.idleTimeoutMs;
      const old = at - session.createdAt >= this.lifetimes.maxLifetimeMs;
      if (idle || old) this.#sessions.delete(token);
    }
  }
}
