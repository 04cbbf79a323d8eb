import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { CLI_CWD, REPO_ROOT } from "./processes";
import { waitUntil } from "./wait";

/** One JSON line of a worker's log (pino: `level` 50 is error, 40 warn, 30 info, 20 debug). */
export type LogLine = Record<string, unknown> & { level?: number; msg?: string };

export interface WorkerEnvOptions {
  redisUrl: string;
  queueName: string;
  keyPrefix: string;
  applianceUrl: string;
  apiUsername: string;
  apiPassword: string;
  /** Any other setting, e.g. WORKER_CONCURRENCY; wins over the defaults below. */
  settings?: Record<string, string>;
}

/**
 * A worker's environment for the tests: fast retries and pauses, JSON logs at debug level (so
 * the secret scan covers debug lines), and nothing inherited from the test process but PATH.
 */
export function workerEnv(options: WorkerEnvOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.keyPrefix,
    QUEUE_NAME: options.queueName,
    AXELNAC_URL: options.applianceUrl,
    AXELNAC_USERNAME: options.apiUsername,
    AXELNAC_PASSWORD: options.apiPassword,
    AXELNAC_REQUEST_TIMEOUT: "10s",
    AXELNAC_LOGIN_BACKOFF_MAX: "2s",
    WORKER_CONCURRENCY: "10",
    AXELNAC_MAX_IN_FLIGHT: "8",
    DELIVERY_BACKOFF: "50ms",
    DELIVERY_BACKOFF_MAX: "500ms",
    SYSTEMIC_PAUSE_MAX: "2s",
    SHUTDOWN_TIMEOUT: "10s",
    LOG_FORMAT: "json",
    LOG_LEVEL: "debug",
    ...options.settings,
  };
}

/** The CLI's worker command, as most tests run it. */
export const CLI_WORKER = [join(REPO_ROOT, "dist", "src", "cli", "main.js"), "worker"];
/** The worker's own process entry, for process managers that run it without the CLI. */
export const WORKER_ENTRY = [join(REPO_ROOT, "dist", "workers", "delivery-worker.js")];

/** A worker process (`node dist/src/cli/main.js worker` unless told), with everything it wrote kept for the test to read. */
export class WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stdout = "";
  #stderr = "";

  constructor(
    readonly name: string,
    env: Record<string, string>,
    command: readonly string[] = CLI_WORKER,
  ) {
    this.child = spawn(process.execPath, command, {
      env,
      cwd: CLI_CWD,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdin.end();
    this.child.stdout.setEncoding("utf8");
    this.child.stderr.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.#stdout += chunk;
    });
    this.child.stderr.on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': the output pipes are drained by then.
      this.child.once("close", (code, signal) => resolve({ code, signal }));
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote, stdout then stderr. */
  output(): string {
    return `${this.#stdout}${this.#stderr}`;
  }

  stderr(): string {
    return this.#stderr;
  }

  /** Its JSON log lines; a line that is not JSON (a crash trace) fails the parse loudly. */
  lines(): LogLine[] {
    return this.#stdout
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          throw new Error(`${this.name} wrote a line that is not JSON: ${line}`);
        }
      });
  }

  /** Resolves once a log line matches; fails early with the output if the process exits first. */
  async waitForLog(matches: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitUntil(
      () => {
        found = this.lines().find(matches);
        if (!found && !this.running) {
          throw new Error(`${this.name} exited before the awaited log line:\n${this.output()}`);
        }
        return found !== undefined;
      },
      {
        timeoutMs,
        what: `a log line of ${this.name}`,
        describe: () => this.output().slice(-4_000),
      },
    );
    return found as LogLine;
  }

  /** Resolves once the worker took its place on the queue. */
  ready(timeoutMs = 15_000): Promise<LogLine> {
    return this.waitForLog((line) => line.msg === "delivery worker started", timeoutMs);
  }

  /** Sends `signal` (SIGTERM by default) and resolves with the exit code, or rejects after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}`)),
        timeoutMs,
      );
    });
    try {
      return (await Promise.race([this.exited, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: no shutdown code runs, as when a host dies. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** The worker processes of one test; `killAll()` in afterEach leaves none behind, whatever happened. */
export class WorkerFleet {
  readonly #workers: WorkerProcess[] = [];

  constructor(private readonly baseEnv: () => Record<string, string>) {}

  get workers(): readonly WorkerProcess[] {
    return this.#workers;
  }

  /** Starts `count` workers without waiting for them. */
  spawn(count = 1, overrides: Record<string, string> = {}): WorkerProcess[] {
    return Array.from({ length: count }, () => {
      const worker = new WorkerProcess(`worker-${this.#workers.length + 1}`, {
        ...this.baseEnv(),
        ...overrides,
      });
      this.#workers.push(worker);
      return worker;
    });
  }

  /** Starts `count` workers and waits until each is on the queue. */
  async start(count = 1, overrides: Record<string, string> = {}): Promise<WorkerProcess[]> {
    const started = this.spawn(count, overrides);
    await Promise.all(started.map((worker) => worker.ready()));
    return started;
  }

  /** Every worker's output so far, dead ones included. */
  output(): string {
    return this.#workers.map((worker) => worker.output()).join("\n");
  }

  lines(): LogLine[] {
    return this.#workers.flatMap((worker) => worker.lines());
  }

  async killAll(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.kill()));
  }
}
