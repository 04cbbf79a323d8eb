import type Redis from "ioredis";
import { duplicateKeySecretKey, resolveDuplicateKeySecret } from "../../src/producer";
import { deriveSecret, KeyRing } from "../../src/secrets";
import { resolveIdempotencySecret } from "../../src/serve/idempotency";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 9).toString("base64")}`);
const CONFIGURED = "a-configured-duplicate-key-secret";

describe("resolveIdempotencySecret: the duplicate-key secret's sources, under a purpose of its own", () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix("idempotency-secret");
  });

  afterEach(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("derives from DUPLICATE_KEY_SECRET when set (it wins over the ring), never using it as is", async () => {
    const secret = await resolveIdempotencySecret(redis, prefix, {
      configured: CONFIGURED,
      keyRing: RING,
    });
    expect(secret).not.toBe(CONFIGURED);
    expect(secret).toBe(await resolveIdempotencySecret(redis, prefix, { configured: CONFIGURED }));
    expect(secret).not.toBe(await resolveIdempotencySecret(redis, prefix, { keyRing: RING }));
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });

  it("derives from the key ring's active key, apart from the duplicate-key secret, keeping nothing in Redis", async () => {
    const secret = await resolveIdempotencySecret(redis, prefix, { keyRing: RING });
    expect(secret).not.toBe(deriveSecret(RING, "duplicate-key v1"));
    expect(secret).toBe(await resolveIdempotencySecret(redis, prefix, { keyRing: RING }));
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });

  it("without either, derives from the secret generated in Redis: every server of the fleet agrees", async () => {
    const one = await resolveIdempotencySecret(redis, prefix);
    const other = await resolveIdempotencySecret(redis, prefix);
    const generated = await redis.get(duplicateKeySecretKey(prefix));
    expect(generated).toBe(await resolveDuplicateKeySecret(redis, prefix));
    expect(one).toBe(other);
    expect(one).not.toBe(generated);
    expect(await redis.keys(`${prefix}*`)).toEqual([duplicateKeySecretKey(prefix)]);
  });
});
