import { randomBytes } from "node:crypto";
import type { Queue } from "bullmq";
import type { Simulator } from "../../src/simulator";
import { expectNoSecrets } from "./log-sink";
import { waitUntil } from "./wait";

/** The job a plain upstream producer enqueues: the contract's three fields, nothing else. */
export interface GuestJob {
  pid: string;
  password: string;
  source_id: string;
}

/** Every guest password of these tests starts so: one pattern finds any of thousands in a log. */
const GUEST_PASSWORD_MARKER = "guestpw-";
const GUEST_PASSWORD_PATTERN = /guestpw-[0-9a-f]+/;
/** The appliance's tokens (and the simulator's) are 64 hexadecimal characters. */
const TOKEN_PATTERN = /\b[0-9a-f]{64}\b/;

export function guestPassword(): string {
  return `${GUEST_PASSWORD_MARKER}${randomBytes(8).toString("hex")}`;
}

/** `count` guests with distinct pids and passwords. */
export function guestJobs(count: number, label = "guest"): GuestJob[] {
  return Array.from({ length: count }, (_, n) => ({
    pid: `${label}-${n}`,
    password: guestPassword(),
    source_id: "sms",
  }));
}

export interface DeliveryReport {
  /** Entries in the outbox for these guests. */
  sent: number;
  /** Guests with at least one SMS. */
  delivered: number;
  /** SMS beyond the first, summed over guests. */
  duplicates: number;
  /** Guests who got more than one SMS. */
  duplicated: string[];
  missing: string[];
  /** Guests whose SMS carried another password than their job's. */
  wrongPassword: string[];
}

/** What the simulator's outbox says about these guests' SMS. */
export function deliveryReport(sim: Simulator, jobs: readonly GuestJob[]): DeliveryReport {
  const expected = new Map(jobs.map((job) => [job.pid, sim.fingerprint(job.password)]));
  const perPid = new Map<string, number>();
  const wrongPassword = new Set<string>();
  let sent = 0;
  for (const sms of sim.outbox()) {
    const fingerprint = expected.get(sms.pid);
    if (fingerprint === undefined) continue;
    sent++;
    perPid.set(sms.pid, (perPid.get(sms.pid) ?? 0) + 1);
    if (sms.passwordFingerprint !== fingerprint) wrongPassword.add(sms.pid);
  }
  return {
    sent,
    delivered: perPid.size,
    duplicates: sent - perPid.size,
    duplicated: [...perPid].filter(([, n]) => n > 1).map(([pid]) => pid),
    missing: jobs.filter((job) => !perPid.has(job.pid)).map((job) => job.pid),
    wrongPassword: [...wrongPassword],
  };
}

const UNFINISHED_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
] as const;

/** Jobs not yet completed nor failed. */
export async function unfinishedJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...UNFINISHED_STATES);
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Waits until every guest has an SMS and the queue holds no unfinished job. */
export async function waitForAllDelivered(
  sim: Simulator,
  queue: Queue,
  jobs: readonly GuestJob[],
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    async () =>
      deliveryReport(sim, jobs).missing.length === 0 && (await unfinishedJobs(queue)) === 0,
    {
      timeoutMs,
      intervalMs: 50,
      what: `${jobs.length} deliveries`,
      describe: async () => ({
        missing: deliveryReport(sim, jobs).missing.length,
        counts: await queue.getJobCounts(),
        stats: sim.stats(),
      }),
    },
  );
}

/**
 * Fails when a worker's log holds the API password, any guest password of these tests (they all
 * share a marker), or anything shaped like an API token.
 */
export function expectCleanLogs(text: string, apiPasswords: readonly string[]): void {
  expectNoSecrets(text, [...apiPasswords]);
  for (const [what, pattern] of [
    ["a guest password", GUEST_PASSWORD_PATTERN],
    ["an API token", TOKEN_PATTERN],
  ] as const) {
    const match = pattern.exec(text);
    if (!match) continue;
    const lineStart = text.lastIndexOf("\n", match.index) + 1;
    const lineEnd = text.indexOf("\n", match.index);
    const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    throw new Error(`${what} appears in the logs: ${line.replace(match[0], "<SECRET>")}`);
  }
}
