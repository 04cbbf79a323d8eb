import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { ONE_SHOT_REDIS_TIMEOUT_MS } from "../../src/redis/connection";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { connectDeliveryProducer } from "../../src/wiring/producer";
import { guestJobs } from "../support/deliveries";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { waitUntil } from "../support/wait";

describe("status --watch while Redis goes away", () => {
  let server: PrivateRedis | undefined;

  afterEach(async () => {
    await server?.destroy();
  });

  it("says Redis is unreachable within a bounded time, keeps trying, and goes on once Redis is back", async () => {
    server = await startPrivateRedis({ appendOnly: true, dirPrefix: "courier-watch-" });
    const env = {
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      DUPLICATE_KEY_SECRET: "status-watch-outage-secret",
      LOG_LEVEL: "warn",
    };
    const producer = await connectDeliveryProducer(
      loadConfig(env),
      createLogger({ level: "silent" }),
    );
    try {
      await producer.producer.enqueueMany(
        guestJobs(5, "watched").map((job) => ({ ...job, batch_id: "watched" })),
      );
    } finally {
      await producer.close();
    }
    const watch = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "dist", "src", "cli", "main.js"),
        ...["status", "--batch", "watched", "--watch", "--interval", "200ms"],
      ],
      {
        env: { PATH: process.env.PATH ?? "", ...env },
        cwd: CLI_CWD,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines: string[] = [];
    createInterface({ input: watch.stdout }).on("line", (line) => lines.push(line));
    const notes: string[] = [];
    createInterface({ input: watch.stderr }).on("line", (line) => notes.push(line));
    try {
      await waitUntil(() => lines.length >= 2, { timeoutMs: 10_000, what: "two watch lines" });
      await server.stop();
      const stoppedAt = Date.now();
      const unreachable =
        /^status: COURIER_REDIS_UNREACHABLE: Redis at \S+ did not answer within 10 s; still trying/;
      await waitUntil(() => notes.some((note) => unreachable.test(note)), {
        timeoutMs: 3 * ONE_SHOT_REDIS_TIMEOUT_MS,
        what: "the watch to say Redis is unreachable",
        describe: () => ({ notes, lines: lines.slice(-2) }),
      });
      const saidAfterMs = Date.now() - stoppedAt;
      expect(watch.exitCode).toBeNull();
      // Said once per outage, not once per attempt.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(notes.filter((note) => unreachable.test(note))).toHaveLength(1);

      await server.start();
      const before = lines.length;
      await waitUntil(() => lines.length >= before + 2, {
        timeoutMs: 3 * ONE_SHOT_REDIS_TIMEOUT_MS,
        what: "watch lines once Redis is back",
        describe: () => ({ notes }),
      });
      expect(notes).toContain("status: Redis answers again");
      expect(lines.at(-1)).toMatch(/^batch watched +total 5 .* waiting 5 /);
      console.log(`status --watch said Redis was unreachable ${saidAfterMs} ms after it stopped`);
    } finally {
      watch.kill();
    }
  }, 120_000);
});
