import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerOnPath, startPrivateRedis } from "../../src/redis/private-server";
import { REPO_ROOT } from "./processes";

/**
 * The suite's Redis: REDIS_URL when the caller set one; otherwise a private redis-server on a free
 * port; otherwise, with no binary but a Docker engine, testcontainers' Redis module.
 * Its URL reaches every test file through REDIS_URL.
 */
export default async function globalSetup(): Promise<void> {
  // Tests that span OS processes run the compiled code: build it so it matches the sources. The
  // product build ships only src and workers; the fixtures tests spawn get their own build.
  // --noCheck: the types are `npm run typecheck`'s to check (every file of src, workers and test,
  // before jest in `npm test`); emitting alone takes this build about half the time.
  for (const project of ["tsconfig.build.json", "test/tsconfig.fixtures.json"]) {
    execFileSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", project, "--noCheck"],
      { cwd: REPO_ROOT, stdio: "inherit" },
    );
  }
  const state: { stop?: () => Promise<void> } = {};
  if (process.env.REDIS_URL) {
    process.env.COURIER_TEST_REDIS_SOURCE = "REDIS_URL";
  } else if (redisServerOnPath()) {
    const redis = await startPrivateRedis();
    process.env.REDIS_URL = redis.url;
    process.env.COURIER_TEST_REDIS_SOURCE = "redis-server";
    state.stop = redis.destroy;
  } else {
    const { RedisContainer } = await import("@testcontainers/redis");
    const container = await new RedisContainer("redis:7-alpine").start();
    process.env.REDIS_URL = container.getConnectionUrl();
    process.env.COURIER_TEST_REDIS_SOURCE = "testcontainers";
    state.stop = async () => {
      await container.stop();
    };
  }
  (globalThis as { __courierRedis?: typeof state }).__courierRedis = state;
  writeFileSync(join(tmpdir(), "axelnac-courier-test-redis.url"), process.env.REDIS_URL ?? "");
}
