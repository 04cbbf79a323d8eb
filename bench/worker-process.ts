import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import type Redis from "ioredis";

/** Every child the bench started, so that any exit path can kill what is left. */
const running = new Set<ChildProcess>();

export interface WorkerLaunch {
  /** The script node runs, and its arguments. */
  args: string[];
  env: Record<string, string>;
  /** stdout and stderr go to this file, as a service's logs would. */
  logFile: string;
  cpuProfDir: string | undefined;
}

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** User + system CPU time the process has used so far, in ms. */
  cpuMs(): number;
  /** Peak resident set size so far (VmHWM), in KiB. */
  peakRssKb(): number;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. Resolves with its exit code. */
  stop(timeoutMs: number): Promise<number | null>;
}

export function spawnWorker(launch: WorkerLaunch): WorkerProcess {
  const profiling = launch.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", launch.cpuProfDir] : [];
  const log = openSync(launch.logFile, "w");
  const child = spawn(process.execPath, [...profiling, ...launch.args], {
    env: launch.env,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${launch.args.join(" ")}`);
  running.add(child);
  child.once("exit", () => running.delete(child));

  return {
    pid,
    child,
    cpuMs: () => processCpuMs(pid),
    peakRssKb: () => procStatusKb(pid, "VmHWM"),
    stop: (timeoutMs) => stopProcess(child, timeoutMs),
  };
}

/** Kills every child still running; safe to call from a synchronous `exit` handler. */
export function killAllWorkers(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/**
 * Resolves once every worker's main loop waits for jobs: as many of their connections are blocked
 * in BZPOPMIN on the queue's marker. Their start-up (module loading, connections, the real
 * worker's HSET of the global concurrency) is then over, and nothing of it falls in the timed
 * window.
 */
export async function waitUntilWaitingForJobs(
  redis: Redis,
  workers: readonly WorkerProcess[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const worker of workers) {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
        throw new Error(
          `worker ${worker.pid} exited (${worker.child.exitCode}) before it was ready`,
        );
      }
    }
    const clients = (await redis.client("LIST")) as string;
    const blocked = clients
      .split("\n")
      .filter((line) => line.includes(" cmd=bzpopmin ") && /\bflags=\w*b/.test(line)).length;
    if (blocked >= workers.length) return;
    if (Date.now() > deadline) {
      const pids = workers.map((worker) => worker.pid).join(", ");
      throw new Error(`workers ${pids} did not all wait for jobs within ${timeoutMs} ms`);
    }
    await sleep(25);
  }
}

async function stopProcess(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

function procStatusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** utime + stime from /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ is 100 on Linux). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
