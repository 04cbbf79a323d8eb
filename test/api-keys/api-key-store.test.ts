import { createHash } from "node:crypto";
import type Redis from "ioredis";
import { apiKeyKeys, openWebhookSecret } from "../../src/api-keys/api-key-record";
import { ApiKeyInputError, ApiKeyStore } from "../../src/api-keys/api-key-store";
import { parseApiKey } from "../../src/api-keys/api-key-text";
import { KeyRing } from "../../src/secrets";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";

const RING = KeyRing.parse(`w1:${Buffer.alloc(32, 9).toString("base64")}`);

describe("ApiKeyStore, on a real Redis", () => {
  let redis: Redis;
  const prefix = uniquePrefix("api-keys");
  const queue = "keys-test";
  let store: ApiKeyStore;
  beforeAll(() => {
    redis = testRedis();
    store = new ApiKeyStore(redis, prefix, queue, undefined);
  });
  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:`);
    redis.disconnect();
  });

  it("stores a new key as the record layout says, with only a SHA-256 of its secret", async () => {
    const created = await store.create({ name: "portal", scopes: ["deliveries:write"] });
    const parsed = parseApiKey(created.key);
    expect(parsed?.id).toBe(created.id);
    const keys = apiKeyKeys(prefix, queue);
    expect(await redis.smembers(keys.ids)).toContain(created.id);
    const record = await redis.hgetall(keys.key(created.id));
    expect(record).toEqual({
      name: "portal",
      scopes: "deliveries:write",
      hash: createHash("sha256")
        .update(parsed?.secret as string)
        .digest("hex"),
      createdAt: String(created.createdAt.getTime()),
    });
    expect(await dumpEverything(redis)).not.toContain(parsed?.secret);
  });

  it("tells a valid key, a revoked one and every kind of wrong one apart", async () => {
    const created = await store.create({
      name: "desk",
      scopes: ["deliveries:read", "batches:read"],
    });
    const valid = await store.check(created.key);
    expect(valid).toEqual({
      status: "valid",
      key: expect.objectContaining({ id: created.id, scopes: ["deliveries:read", "batches:read"] }),
    });
    const [id, secret] = created.key.split(".") as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    for (const wrong of [
      `${id}.${flipped}`,
      `ffffffffffffffff.${secret}`,
      id,
      "",
      `${created.key}x`,
    ]) {
      expect(await store.check(wrong)).toEqual({ status: "invalid" });
    }
    const revokedAt = new Date("2026-05-01T10:00:00Z");
    expect(await store.revoke(created.id, revokedAt)).toBe(true);
    expect(await store.revoke(created.id, new Date())).toBe(true);
    expect(await store.check(created.key)).toEqual({
      status: "revoked",
      key: expect.objectContaining({ revokedAt }),
    });
    // A wrong secret is invalid, revoked or not: the revocation is only told to the key's holder.
    expect(await store.check(`${id}.${flipped}`)).toEqual({ status: "invalid" });
    expect(await store.revoke("0000000000000000")).toBe(false);
  });

  it("lists every key oldest first, and finds one, never with its hash", async () => {
    const listed = await store.list();
    expect(listed.map((key) => key.name)).toEqual(["portal", "desk"]);
    expect(JSON.stringify(listed)).not.toMatch(/hash|[0-9a-f]{64}/);
    expect(await store.find(listed[1]?.id as string)).toEqual(listed[1]);
    expect(await store.find("0000000000000000")).toBeUndefined();
  });

  it("believes a key it checked for checkCacheMs, without Redis, for the same secret only", async () => {
    const caching = new ApiKeyStore(redis, prefix, queue, undefined, 3_600_000);
    const created = await caching.create({ name: "cached", scopes: ["deliveries:write"] });
    expect((await caching.check(created.key)).status).toBe("valid");
    // Gone from Redis: only the cache can still vouch for it.
    await redis.del(apiKeyKeys(prefix, queue).key(created.id));
    expect(await caching.check(created.key)).toEqual({
      status: "valid",
      key: expect.objectContaining({ id: created.id, name: "cached" }),
    });
    const [id, secret] = created.key.split(".") as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    expect(await caching.check(`${id}.${flipped}`)).toEqual({ status: "invalid" });
    // Without a cache, every check asks Redis.
    const uncached = new ApiKeyStore(redis, prefix, queue, undefined, 0);
    expect(await uncached.check(created.key)).toEqual({ status: "invalid" });
  });

  it("refuses a key revoked by another process once checkCacheMs has passed, at once when revoked through itself", async () => {
    const serving = new ApiKeyStore(redis, prefix, queue, undefined, 200);
    const cli = new ApiKeyStore(redis, prefix, queue, undefined);
    const first = await cli.create({ name: "revoked elsewhere", scopes: ["deliveries:write"] });
    expect((await serving.check(first.key)).status).toBe("valid");
    await cli.revoke(first.id);
    await waitUntil(async () => (await serving.check(first.key)).status === "revoked", {
      what: "the revocation to reach the caching store",
    });
    const second = await cli.create({ name: "revoked here", scopes: ["deliveries:write"] });
    const longCache = new ApiKeyStore(redis, prefix, queue, undefined, 3_600_000);
    expect((await longCache.check(second.key)).status).toBe("valid");
    await longCache.revoke(second.id);
    expect((await longCache.check(second.key)).status).toBe("revoked");
  });

  it("keeps a webhook's signing secret sealed under the key ring, bound to its record", async () => {
    const sealing = new ApiKeyStore(redis, prefix, queue, RING);
    const created = await sealing.create({
      name: "hooked",
      scopes: ["deliveries:write"],
      webhookUrl: "https://crm.example.org/hooks/courier",
    });
    expect(created.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const recordKey = apiKeyKeys(prefix, queue).key(created.id);
    const stored = (await redis.hget(recordKey, "webhookSecret")) as string;
    expect(stored).toMatch(/^enc:v1:w1:/);
    expect(openWebhookSecret(RING, stored, recordKey)).toEqual({
      ok: true,
      secret: created.webhookSecret,
    });
    expect(await dumpEverything(redis)).not.toContain(created.webhookSecret);
    const plain = await store.create({
      name: "hooked, no ring",
      scopes: ["deliveries:write"],
      webhookUrl: "http://10.0.0.5:8080/hook",
    });
    const plainKey = apiKeyKeys(prefix, queue).key(plain.id);
    expect(await redis.hget(plainKey, "webhookSecret")).toBe(plain.webhookSecret);
  });

  it.each([
    [{ name: " ", scopes: ["deliveries:read"] }, "name: must not be empty"],
    [{ name: "x", scopes: [] }, "scope: give at least one"],
    [{ name: "x", scopes: ["a b"] }, "scope: must not be empty or hold a blank"],
    [
      { name: "x", scopes: ["deliveries:read"], webhookUrl: "crm.example.org" },
      "webhook: not a URL",
    ],
    [
      { name: "x", scopes: ["deliveries:read"], webhookUrl: "ftp://crm.example.org/" },
      "webhook: must be an http:// or https:// URL",
    ],
    [
      { name: "x", scopes: ["deliveries:read"], webhookUrl: "https://u:p@crm.example.org/" },
      "webhook: must not carry a user or password",
    ],
  ])("refuses %j", async (input, message) => {
    const before = (await store.list()).length;
    await expect(store.create(input)).rejects.toThrow(ApiKeyInputError);
    await expect(store.create(input)).rejects.toThrow(message);
    expect((await store.list()).length).toBe(before);
  });
});

describe("parseApiKey", () => {
  it.each([
    [`0123456789abcdef.${"a".repeat(43)}`, true],
    [`0123456789abcdef.${"-_AZaz09".repeat(5)}abc`, true],
    [`0123456789ABCDEF.${"a".repeat(43)}`, false],
    [`0123456789abcde.${"a".repeat(43)}`, false],
    [`0123456789abcdef.${"a".repeat(42)}`, false],
    [`0123456789abcdef.${"a".repeat(42)}=`, false],
    [`0123456789abcdef${"a".repeat(44)}`, false],
    [` 0123456789abcdef.${"a".repeat(43)}`, false],
  ])("%j is a key: %s", (text, ok) => {
    expect(parseApiKey(text) !== undefined).toBe(ok);
  });
});
