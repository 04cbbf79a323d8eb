import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dial, type PrivateRedisTls, tlsArguments } from "./private-server-tls";

export type { PrivateRedisTls } from "./private-server-tls";

/**
 * A redis-server of the caller's own (the demo, the test suite, the benchmarks): loopback only,
 * on a free port, in a directory of its own that is deleted when it is destroyed.
 */
export interface PrivateRedis {
  /** `redis://127.0.0.1:PORT`, or `rediss://` with `tls`. */
  url: string;
  port: number;
  dir: string;
  /** Stops the server, keeping its directory (and its append-only file, if any). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory, after `stop`. */
  start(): Promise<void>;
  /** Stops the server and deletes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Persist every write to an append-only file, so that a restart keeps the data. */
  appendOnly?: boolean;
  /** Names the temporary directory, so a leftover one says whose it was. */
  dirPrefix?: string;
  /** Serve TLS only, with these certificates (the test suite's TLS tests). */
  tls?: PrivateRedisTls;
}

const START_TIMEOUT_MS = 10_000;

export function redisServerOnPath(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix ?? "axelnac-courier-redis-"));
  const { tls } = options;
  const url = `${tls ? "rediss" : "redis"}://127.0.0.1:${port}`;
  const args = [
    ...(tls ? tlsArguments(port, dir, tls) : ["--port", String(port)]),
    ...["--bind", "127.0.0.1", "--dir", dir, "--save", ""],
    ...["--appendonly", options.appendOnly ? "yes" : "no", "--appendfsync", "always"],
    // A queue must never lose keys to memory pressure.
    ...["--maxmemory-policy", "noeviction"],
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  // Whatever happens to the caller (an exception, process.exit), the server does not outlive it.
  const onExit = () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const start = async () => {
    const started = spawn("redis-server", args, {
      // Its own process group: Ctrl-C at the terminal reaches the caller only, which may still
      // need Redis to stop its workers and delete its keys before it stops the server itself.
      stdio: "ignore",
      detached: true,
    });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    await waitUntilAnswering(() => dial(port, tls), port, started);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill("SIGTERM");
    await exited;
  };
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    process.off("exit", onExit);
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { url, port, dir, stop, start, destroy };
}

async function waitUntilAnswering(
  connect: () => Socket,
  port: number,
  child: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(connect))) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with code ${child.exitCode} before answering`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `redis-server did not answer on port ${port} within ${START_TIMEOUT_MS / 1_000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A bare PING over a socket: a client library would leave reconnection timers behind, which
 * jest's global setup reports as open handles.
 */
function answersPing(connect: () => Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect();
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on("error", () => finish(false));
    // Written before the connection (and any TLS handshake) is up: the socket holds it until then.
    socket.write("PING\r\n");
    socket.once("data", (data) => finish(data.toString().startsWith("+PONG")));
  });
}

/** A TCP port nobody listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
