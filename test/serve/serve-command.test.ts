import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { request } from "undici";
import { QUEUE_TARGET_LINE, runCli, startCli } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

describe("axelnac-courier serve, as a process", () => {
  let redis: Redis;
  const prefix = uniquePrefix("serve-cli");
  const queue = `test-${randomUUID()}`;
  const env = {
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    QUEUE_NAME: queue,
    SERVE_PORT: "0",
    LOG_LEVEL: "debug",
  };
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:`);
    await deleteKeys(redis, `bull:${queue}:`);
    redis.disconnect();
  });

  it("says where it listens, answers there, enqueues with a key, and exits 0 on SIGTERM", async () => {
    const created = await runCli(
      ["api-keys", "create", "--name", "cli test", "--scope", "deliveries:write", "--json"],
      env,
    );
    const { key } = JSON.parse(created.stdout) as { key: string };

    const { child, result } = startCli(["serve"], env);
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    let url = "";
    await waitUntil(
      () => {
        url = /"msg":"HTTP API listening on (http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout)?.[1] ?? "";
        return url !== "";
      },
      { timeoutMs: 30_000, what: "serve's listening line", describe: () => stdout },
    );

    const document = await request(`${url}/openapi.json`);
    expect(document.statusCode).toBe(200);
    expect(((await document.body.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const posted = await request(`${url}/v1/deliveries`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ pid: "cli-guest", password: "guestpw-c1c1", source_id: "sms" }),
    });
    expect(posted.statusCode).toBe(202);
    await posted.body.dump();

    child.kill("SIGTERM");
    const ended = await result;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(QUEUE_TARGET_LINE);
    expect(ended.stdout).toContain('"msg":"shutdown requested: finishing the requests in flight"');
    expect(ended.stdout).toContain('"msg":"HTTP API stopped"');
    expect(ended.stdout).not.toContain("guestpw-c1c1");
    expect(ended.stdout).not.toContain(key.split(".")[1]);
    await expect(request(`${url}/openapi.json`)).rejects.toThrow();
  });

  it("describes itself with --help, and takes no arguments", async () => {
    const help = await runCli(["serve", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: axelnac-courier serve\n/);
    const extra = await runCli(["serve", "now"], env);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('serve takes no arguments, got "now"');
  });

  it("stops at once with exit 2 on a bad setting, naming it", async () => {
    const result = await runCli(["serve"], { ...env, SERVE_TLS_CERT_FILE: "/nonexistent.pem" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "SERVE_TLS_KEY_FILE: required when SERVE_TLS_CERT_FILE is set (HTTPS needs both)",
    );
  });
});
