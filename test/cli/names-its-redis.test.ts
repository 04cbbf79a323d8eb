import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type Simulator, startSimulator } from "../../src/simulator";
import { runCli } from "../support/cli";
import { registrationExport } from "../support/registrations";
import { WorkerProcess } from "../support/worker-fleet";

/** REDIS_URL's credentials: the line names neither; no output shows the password. */
const REDIS_USER = "courier-acl-user";
const REDIS_PASSWORD = "Redis-Pass-7f3a9c";

/** Every command that works on Redis, with what it needs to run to its end. */
const COMMANDS: { command: string[]; input?: string; json?: boolean }[] = [
  { command: ["status"] },
  { command: ["status", "--json"], json: true },
  { command: ["failed", "list"] },
  { command: ["failed", "list", "--json"], json: true },
  { command: ["check"] },
  { command: ["keys", "status"] },
  { command: ["keys", "status", "--json"], json: true },
  { command: ["enqueue", "--pid", "guest-1", "--source-id", "sms"], input: "Guest-Pw-1\n" },
  { command: ["import", "FILE", "--source-id", "sms", "--batch", "named"] },
  { command: ["report", "--batch", "named"] },
  { command: ["history", "--batch", "named"] },
  {
    command: [
      "onboard",
      "REGISTRATIONS",
      ...["--role", "guest", "--valid-from", "2030-06-10T09:00+03:00"],
      ...["--expiration", "2030-06-12T18:00+03:00", "--appliance-time-zone", "Europe/Moscow"],
      ...["--phone-region", "RU", "--source-id", "sms", "--batch", "named-onboard"],
    ],
  },
];

describe("every command names the Redis and the queue it works on, never REDIS_URL's credentials", () => {
  let server: PrivateRedis;
  let sim: Simulator;
  let dir: string;
  let env: Record<string, string>;
  let described: string;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-names-redis-" });
    const admin = new Redis(server.url);
    await admin.call("ACL", "SETUSER", REDIS_USER, "on", `>${REDIS_PASSWORD}`, "~*", "&*", "+@all");
    admin.disconnect();
    sim = await startSimulator({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), "courier-names-redis-"));
    writeFileSync(join(dir, "guests.csv"), "pid,password\nguest-2,Guest-Pw-2\n");
    writeFileSync(join(dir, "registrations.csv"), registrationExport(3, 0, { badRows: false }).csv);
    env = {
      REDIS_URL: `redis://${REDIS_USER}:${REDIS_PASSWORD}@127.0.0.1:${server.port}/0`,
      QUEUE_NAME: "event-sms",
      QUEUE_PREFIX: "courier",
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      LOG_LEVEL: "debug",
    };
    described = `redis 127.0.0.1:${server.port} db 0 (no TLS), queue event-sms, prefix courier`;
  });

  afterAll(async () => {
    await sim.close();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(COMMANDS.map((c) => ({ ...c, name: c.command.slice(0, 3).join(" ") })))(
    "$name",
    async ({ command, input, json }) => {
      const args = command.map((arg) =>
        arg === "FILE"
          ? join(dir, "guests.csv")
          : arg === "REGISTRATIONS"
            ? join(dir, "registrations.csv")
            : arg,
      );
      const result = await runCli(args, env, input);
      expect(result.stderr.split("\n")).toContain(described);
      if (json) expect(() => JSON.parse(result.stdout)).not.toThrow();
      else expect(result.stdout).not.toContain(described);
      // The user name is no secret (check's own lines show it, password masked); the password is.
      expect(result.stdout).not.toContain(REDIS_PASSWORD);
      expect(result.stderr).not.toContain(REDIS_PASSWORD);
      expect(result.code).toBe(0);
    },
    30_000,
  );

  it("worker: in its start line", async () => {
    const worker = new WorkerProcess("worker", {
      PATH: process.env.PATH ?? "",
      ...env,
      LOG_FORMAT: "json",
    });
    try {
      const started = await worker.ready();
      expect(started).toMatchObject({
        redis: `127.0.0.1:${server.port} db 0 (no TLS)`,
        queue: "event-sms",
        queuePrefix: "courier",
      });
    } finally {
      await worker.stop();
    }
    expect(worker.output()).not.toContain(REDIS_PASSWORD);
  }, 30_000);
});
