/**
 * Whether a process should be given work (`/readyz`): each named check says what it found, and
 * the process is ready when all pass and no stop was asked for. From `stop()` on (SIGTERM), it
 * is not ready whatever the checks say, so a load balancer or an orchestrator stops counting on
 * it while it finishes what it holds.
 */
import type Redis from "ioredis";

export interface ReadinessReport {
  ready: boolean;
  /** Each check's finding, by name: `ok`, `running`, or what is wrong. */
  checks: Record<string, string>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** From now on not ready: the process is stopping. */
  stop(): void;
}

export interface CheckResult {
  ok: boolean;
  detail: string;
}

/** One condition of readiness; one that throws or takes longer than the timeout fails. */
export type ReadinessCheck = () => Promise<CheckResult>;

/** How long a check may take before it counts as failed: a probe must answer quickly. */
export const CHECK_TIMEOUT_MS = 1_000;

export function createReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = CHECK_TIMEOUT_MS,
  /** A stop asked for elsewhere (`serve`'s lifecycle), read at each check. */
  stopRequested: () => boolean = () => false,
): Readiness {
  let stopped = false;
  const stopping = () => stopped || stopRequested();
  return {
    async check() {
      const names = Object.keys(checks);
      const results = await Promise.all(
        names.map((name) => settle(checks[name] as ReadinessCheck, timeoutMs)),
      );
      const found: Record<string, string> = {};
      names.forEach((name, at) => {
        found[name] = (results[at] as CheckResult).detail;
      });
      found.shutdown = stopping() ? "in progress" : "not requested";
      return { ready: !stopping() && results.every((result) => result.ok), checks: found };
    },
    stop() {
      stopped = true;
    },
  };
}

async function settle(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      check().catch((error: unknown) => ({ ok: false, detail: `failed: ${messageOf(error)}` })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Redis answers a PING on `redis`, the connection the process works with. A connection that is
 * not ready fails at once: its commands would wait for the reconnection. At most one PING is
 * out at a time, so frequent probes of an unanswering Redis do not pile up commands. An error
 * Redis sends back (NOPERM, for an ACL user without `+ping`) is an answer all the same.
 */
export function redisAnswers(redis: () => Redis | undefined): ReadinessCheck {
  let ping: Promise<CheckResult> | undefined;
  return async () => {
    const client = redis();
    if (!client) return { ok: false, detail: "not connected yet" };
    if (client.status !== "ready") return { ok: false, detail: `not connected (${client.status})` };
    ping ??= client
      .ping()
      .then(
        (): CheckResult => ({ ok: true, detail: "ok" }),
        (error: unknown): CheckResult =>
          (error as Error).name === "ReplyError"
            ? { ok: true, detail: "ok" }
            : { ok: false, detail: `failed: ${messageOf(error)}` },
      )
      .finally(() => {
        ping = undefined;
      });
    return ping;
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
