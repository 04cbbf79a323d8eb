import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisAnswers } from "./redis-ping";

/** A redis-server of the demo's own: loopback only, no persistence, deleted when stopped. */
export interface PrivateRedis {
  url: string;
  dir: string;
  /** Stops the server and deletes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

export function redisServerOnPath(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

const START_TIMEOUT_MS = 10_000;

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "axelnac-courier-demo-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    // Its own process group: Ctrl-C at the terminal reaches the demo only, which still needs
    // Redis to stop its workers and delete its keys, and then stops the server itself.
    { stdio: "ignore", detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Whatever happens to the demo (an exception, process.exit), the server does not outlive it.
  const onExit = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    process.off("exit", onExit);
    await stop(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await destroy();
    throw error;
  }
  return { url, dir, destroy };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await exited;
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await redisAnswers(url, 500))) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with code ${child.exitCode} before answering`);
    }
    if (Date.now() > deadline) {
      throw new Error(`redis-server did not answer at ${url} within ${START_TIMEOUT_MS / 1_000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
