import { createHash, randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { apiKeyKeys, openWebhookSecret } from "../../src/api-keys/api-key-record";
import { ApiKeyStore } from "../../src/api-keys/api-key-store";
import { KeyRing } from "../../src/secrets";
import { QUEUE_TARGET_LINE, runCli, stderrBeyondTarget } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { dumpEverything } from "../support/redis-dump";

const RING_TEXT = `cli1:${Buffer.alloc(32, 5).toString("base64")}`;

describe("axelnac-courier api-keys", () => {
  let redis: Redis;
  const prefix = uniquePrefix("api-keys-cli");
  const queue = `test-${randomUUID()}`;
  const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: queue };
  const keys = apiKeyKeys(prefix, queue);
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:`);
    await deleteKeys(redis, `bull:${queue}:`);
    redis.disconnect();
  });

  it("creates a key, prints it once with the warning, and stores only its hash", async () => {
    const created = await runCli(
      [
        "api-keys",
        "create",
        "--name",
        "registration portal",
        "--scope",
        "deliveries:write",
        "--scope",
        "deliveries:read",
      ],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(QUEUE_TARGET_LINE);
    const [, id, secret] = /^key: ([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/m.exec(created.stdout) ?? [];
    expect(created.stdout).toContain(
      `created API key ${id} "registration portal", scopes deliveries:write deliveries:read`,
    );
    expect(created.stdout).toContain("will not be shown again");
    expect(await redis.hget(keys.key(id as string), "hash")).toBe(
      createHash("sha256")
        .update(secret as string)
        .digest("hex"),
    );
    expect(await dumpEverything(redis)).not.toContain(secret);
    // What serve checks a presented key against: the printed key is the one.
    const store = new ApiKeyStore(redis, prefix, queue, undefined);
    expect((await store.check(`${id}.${secret}`)).status).toBe("valid");
  });

  it("gives a key a webhook, its signing secret printed once and sealed under the key ring", async () => {
    const created = await runCli(
      [
        "api-keys",
        "create",
        "--name",
        "crm",
        "--scope",
        "deliveries:write",
        "--webhook",
        "https://crm.example.org/hook",
        "--json",
      ],
      { ...env, JOB_ENCRYPTION_KEYS: RING_TEXT },
    );
    expect(created.code).toBe(0);
    const printed = JSON.parse(created.stdout) as Record<string, string>;
    expect(printed).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: "crm",
      scopes: ["deliveries:write"],
      createdAt: expect.any(String),
      revokedAt: null,
      webhookUrl: "https://crm.example.org/hook",
      key: expect.stringMatching(/^[0-9a-f]{16}\./),
      webhookSecret: expect.stringMatching(/^whsec_/),
    });
    expect(stderrBeyondTarget(created.stderr)).toMatch(
      /Store this key and signing secret now: they will not be shown again/,
    );
    const recordKey = keys.key(printed.id as string);
    const stored = (await redis.hget(recordKey, "webhookSecret")) as string;
    expect(stored).toMatch(/^enc:v1:cli1:/);
    expect(openWebhookSecret(KeyRing.parse(RING_TEXT), stored, recordKey)).toEqual({
      ok: true,
      secret: printed.webhookSecret,
    });
    expect(await dumpEverything(redis)).not.toContain(printed.webhookSecret);
  });

  it("lists the keys, never a key, hash or secret, and revokes one", async () => {
    const ours = async () =>
      [...(await redis.keys(`${prefix}:*`)), ...(await redis.keys(`bull:${queue}:*`))].sort();
    const keysBefore = await ours();
    const before = await runCli(["api-keys", "list", "--json"], env);
    expect(before.code).toBe(0);
    // It only reads: not even BullMQ's meta hash of the queue is written.
    expect(await ours()).toEqual(keysBefore);
    expect(await redis.exists(`bull:${queue}:meta`)).toBe(0);
    const listed = JSON.parse(before.stdout) as {
      id: string;
      name: string;
      revokedAt: string | null;
    }[];
    expect(listed.map((key) => key.name)).toEqual(["registration portal", "crm"]);
    expect(before.stdout).not.toMatch(/whsec_|"hash"|[0-9a-f]{64}/);

    const portal = listed[0]?.id as string;
    const revoked = await runCli(["api-keys", "revoke", portal], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked API key ${portal}\n` });

    const table = await runCli(["api-keys", "list"], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^id\s+name\s+scopes\s+created\s+revoked\s+webhook$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${portal}  registration portal .* UTC +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC +-$`,
      ),
    );
    expect(lines[2]).toMatch(/crm .* - +https:\/\/crm\.example\.org\/hook$/);
  });

  it.each([
    [
      ["create", "--name", "x", "--scope", "deliveries:delete"],
      /unknown scope "deliveries:delete": the scopes are deliveries:write, deliveries:read, batches:write, batches:read, registrations:write/,
    ],
    [
      ["create", "--name", "x"],
      /create needs at least one --scope: deliveries:write, deliveries:read/,
    ],
    [["create", "--scope", "deliveries:read"], /create needs --name NAME/],
    [["revoke"], /revoke needs the key's id/],
    [["revoke", "not-an-id"], /a key id is 16 hexadecimal digits/],
    [["rotate"], /unknown action "rotate": use create, list or revoke/],
  ])("refuses api-keys %j with exit 2, naming the problem", async (args, message) => {
    const result = await runCli(["api-keys", ...args], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("usage: axelnac-courier api-keys create");
  });

  it("refuses a webhook that is not http or https, and an unknown id, with exit 2", async () => {
    const ftp = await runCli(
      [
        "api-keys",
        "create",
        "--name",
        "x",
        "--scope",
        "deliveries:read",
        "--webhook",
        "ftp://x.example/",
      ],
      env,
    );
    expect(ftp.code).toBe(2);
    expect(stderrBeyondTarget(ftp.stderr)).toBe(
      "api-keys: webhook: must be an http:// or https:// URL\n",
    );
    const unknown = await runCli(["api-keys", "revoke", "0123456789abcdef"], env);
    expect(unknown.code).toBe(2);
    expect(stderrBeyondTarget(unknown.stderr)).toBe(
      'api-keys: no API key has the id "0123456789abcdef" (see api-keys list)\n',
    );
  });

  it("describes itself with --help", async () => {
    const help = await runCli(["api-keys", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^usage: axelnac-courier api-keys create --name NAME --scope SCOPE/,
    );
  });
});
