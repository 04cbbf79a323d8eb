/**
 * The package installs as a tool and as a library: packed with `npm pack` and installed from the
 * tarball into an empty folder, its command runs through npx, ES module and CommonJS programs
 * enqueue through `axelnac-courier/producer`, and TypeScript finds its type declarations.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { type InstalledPackage, packAndInstall } from "../support/installed-package";
import { REPO_ROOT } from "../support/processes";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

const run = promisify(execFile);

/** What a program using the library writes: enqueue one delivery, print what the producer said. */
const ENQUEUE_BODY = `
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(process.env.QUEUE_NAME, { connection: redis });
  const producer = new DeliveryProducer({
    queue,
    duplicateWindowMs: 60000,
    // Generated and kept in Redis, as a fleet without a key ring or DUPLICATE_KEY_SECRET does.
    duplicateKeySecret: await resolveDuplicateKeySecret(redis, process.env.KEY_PREFIX),
  });
  const enqueued = await producer.enqueue({ pid: process.env.PID, password: "Guest-Pa55", source_id: "sms" });
  console.log(JSON.stringify(enqueued));
  await queue.close();
  redis.disconnect();
`;

const PROGRAMS = {
  "enqueue.mjs": `import { DeliveryProducer, Queue, Redis, resolveDuplicateKeySecret } from "axelnac-courier/producer";\n${ENQUEUE_BODY}`,
  "enqueue.cjs": `const { DeliveryProducer, Queue, Redis, resolveDuplicateKeySecret } = require("axelnac-courier/producer");\nasync function main() {${ENQUEUE_BODY}}\nmain();\n`,
};

/** A TypeScript program of each module kind; the wrong call must be refused, or the types are `any`. */
const TYPED_PROGRAM = `import {
  batchKeys,
  DeliveryProducer,
  type Enqueued,
  KeyRing,
  Queue,
  Redis,
  resolveDuplicateKeySecret,
} from "axelnac-courier/producer";

const queue = new Queue("axelnac-credentials", { connection: { url: "redis://127.0.0.1:6379" } });
const producer = new DeliveryProducer({ queue, duplicateWindowMs: 60_000, duplicateKeySecret: "s".repeat(16) });

export function send(): Promise<Enqueued> {
  return producer.enqueue({ pid: "guest1", password: "Guest-Pa55", source_id: "sms" }, { priority: 1 });
}

// As the README's library example does: one connection for the queue and the duplicate-key secret.
export async function producerOfTheFleet(ring: string): Promise<DeliveryProducer> {
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const fleetQueue = new Queue("axelnac-credentials", { connection: redis });
  const keyRing = KeyRing.parse(ring);
  const duplicateKeySecret = await resolveDuplicateKeySecret(redis, "axelnac-courier", { keyRing });
  const batches = { keys: batchKeys("axelnac-courier", fleetQueue.name) };
  return new DeliveryProducer({ queue: fleetQueue, duplicateWindowMs: 60_000, duplicateKeySecret, batches, keyRing });
}

// @ts-expect-error the duplicate window is a number of milliseconds, not a duration text
new DeliveryProducer({ queue, duplicateWindowMs: "1d", duplicateKeySecret: "s".repeat(16) });
`;

describe("the package, installed from its tarball", () => {
  let installed: InstalledPackage;

  beforeAll(async () => {
    installed = await packAndInstall();
  }, 180_000);

  afterAll(() => installed?.remove());

  it("ships the compiled src and workers with their declarations, the README and package.json only", () => {
    const files = installed.packedFiles;
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "dist/src/cli/main.js",
        "dist/src/producer/index.js",
        "dist/src/producer/index.d.ts",
        "dist/workers/delivery-worker.js",
      ]),
    );
    const unexpected = files.filter(
      (file) =>
        !/^(package\.json|README\.md|LICENSE)$/.test(file) &&
        !/^dist\/(src|workers)\/.+\.(js|d\.ts|js\.map)$/.test(file),
    );
    expect(unexpected).toEqual([]);
  });

  it("installs without TypeScript or a build: no dev dependency comes with it", () => {
    const modules = join(installed.dir, "node_modules");
    expect(existsSync(join(modules, "axelnac-courier", "dist", "src", "cli", "main.js"))).toBe(
      true,
    );
    expect(existsSync(join(modules, "typescript"))).toBe(false);
    expect(existsSync(join(modules, "jest"))).toBe(false);
  });

  it("runs as a tool: `npx axelnac-courier --help` prints the usage", async () => {
    const { stdout } = await run("npx", ["axelnac-courier", "--help"], {
      cwd: installed.dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? installed.dir },
    });
    expect(stdout).toMatch(/^usage: axelnac-courier \[--env-file PATH\] <command>/);
    expect(stdout).toMatch(/^ {2}worker /m);
  });

  it.each(Object.keys(PROGRAMS))(
    "%s enqueues a delivery through axelnac-courier/producer",
    async (name) => {
      const queueName = `test-${randomUUID()}`;
      const pid = `guest-${randomUUID().slice(0, 8)}`;
      const keyPrefix = uniquePrefix("package");
      writeFileSync(join(installed.dir, name), PROGRAMS[name as keyof typeof PROGRAMS]);
      const redis = testRedis();
      const queue = new Queue(queueName, { connection: redis });
      try {
        const { stdout } = await run(process.execPath, [name], {
          cwd: installed.dir,
          env: {
            PATH: process.env.PATH ?? "",
            REDIS_URL: testRedisUrl(),
            QUEUE_NAME: queueName,
            PID: pid,
            KEY_PREFIX: keyPrefix,
          },
        });
        const enqueued = JSON.parse(stdout) as { jobId: string; duplicate: boolean };
        expect(enqueued.duplicate).toBe(false);
        const job = await queue.getJob(enqueued.jobId);
        expect(job?.data).toMatchObject({ pid, password: "Guest-Pa55", source_id: "sms" });
        expect(await queue.getWaitingCount()).toBe(1);
        expect(await redis.exists(`${keyPrefix}:duplicate-key-secret`)).toBe(1);
      } finally {
        await deleteKeys(redis, keyPrefix);
        await queue.obliterate({ force: true });
        await queue.close();
        redis.disconnect();
      }
    },
  );

  it("exports the same producer API at its root, and its package.json", async () => {
    const program = [
      'const root = require("axelnac-courier");',
      'const producer = require("axelnac-courier/producer");',
      'const { version } = require("axelnac-courier/package.json");',
      "console.log(JSON.stringify({ same: root.DeliveryProducer === producer.DeliveryProducer, version }));",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["-e", program], { cwd: installed.dir });
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(JSON.parse(stdout)).toEqual({ same: true, version });
  });

  it("type-checks TypeScript programs, of either module kind, against its declarations", async () => {
    writeFileSync(join(installed.dir, "check.ts"), TYPED_PROGRAM);
    writeFileSync(join(installed.dir, "check.mts"), TYPED_PROGRAM);
    writeFileSync(
      join(installed.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
        },
        files: ["check.ts", "check.mts"],
      }),
    );
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], {
      cwd: installed.dir,
    }).catch((error: { stdout: string; code: number }) => ({
      stdout: error.stdout,
      code: error.code,
    }));
    expect(result.stdout).toBe("");
  }, 60_000);
});
