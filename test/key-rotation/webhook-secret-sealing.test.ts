import type Redis from "ioredis";
import { apiKeyKeys, openWebhookSecret } from "../../src/api-keys/api-key-record";
import {
  rotateWebhookSecrets,
  webhookSecretCensus,
} from "../../src/key-rotation/webhook-secret-sealing";
import { KeyRing } from "../../src/secrets";
import { runCli } from "../support/cli";
import { DeliveryHarness } from "../support/delivery-harness";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { writeApiKeyRecord } from "../webhooks/webhook-fixtures";

const OLD = `old:${Buffer.alloc(32, 31).toString("base64")}`;
const NEW = `new:${Buffer.alloc(32, 32).toString("base64")}`;
const GONE = `gone:${Buffer.alloc(32, 33).toString("base64")}`;
const SECRETS = { a: "whsec-aaaa-1111", b: "whsec-bbbb-2222", c: "whsec-cccc-3333" };

/**
 * Five API keys: a and d sealed under old (d's copied from a's record, so it does not open
 * there), b in plaintext, c under a key the rotating ring lacks, e without a webhook.
 */
async function writeKeys(redis: Redis, prefix: string, queue: string): Promise<void> {
  const url = "https://hooks.example.org/courier";
  const old = KeyRing.parse(OLD);
  const write = (id: string, secret?: string, ring?: KeyRing) =>
    writeApiKeyRecord(redis, prefix, queue, {
      id,
      ...(secret ? { webhookUrl: url, webhookSecret: secret } : {}),
      ...(ring ? { ring } : {}),
    });
  const a = await write("a", SECRETS.a, old);
  await write("b", SECRETS.b);
  await write("c", SECRETS.c, KeyRing.parse(GONE));
  const d = await write("d", "whsec-dddd-4444", old);
  await write("e");
  await redis.hset(d, "webhookSecret", (await redis.hget(a, "webhookSecret")) as string);
}

describe("keys rotate and keys status: the API keys' webhook secrets", () => {
  const prefix = uniquePrefix("webhook-rotation");
  const queue = "axelnac-credentials";
  let redis: Redis;

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("re-seals each under the active key, counts them per key id, and leaves what it cannot open", async () => {
    const keys = apiKeyKeys(prefix, queue);
    await writeKeys(redis, prefix, queue);
    expect(await webhookSecretCensus(redis, keys)).toEqual({ old: 2, plaintext: 1, gone: 1 });

    const ring = KeyRing.parse(`${NEW},${OLD}`);
    expect(await rotateWebhookSecrets(redis, keys, ring)).toEqual({
      resealed: 2,
      keyMissing: { gone: 1 },
      unauthentic: 1,
    });
    expect(await webhookSecretCensus(redis, keys)).toEqual({ new: 2, old: 1, gone: 1 });
    for (const [id, secret] of [
      ["a", SECRETS.a],
      ["b", SECRETS.b],
    ] as const) {
      const stored = (await redis.hget(keys.key(id), "webhookSecret")) as string;
      expect(stored).toMatch(/^enc:v1:new:/);
      expect(openWebhookSecret(KeyRing.parse(NEW), stored, keys.key(id))).toEqual({
        ok: true,
        secret,
      });
    }
    // Once done, nothing is left to do.
    expect((await rotateWebhookSecrets(redis, keys, ring)).resealed).toBe(0);
  });

  describe("from the command line", () => {
    let h: DeliveryHarness | undefined;

    afterEach(async () => {
      await h?.close();
    });

    it("status counts them and names the key the ring lacks; rotate reports them and exits 1", async () => {
      h = await DeliveryHarness.start();
      await writeKeys(h.redis, h.keyPrefix, h.queueName);
      const env = (ring: string) =>
        h?.workerEnv({ JOB_ENCRYPTION_KEYS: ring, LOG_LEVEL: "warn" }) ?? {};

      const status = await runCli(["keys", "status", "--json"], env(`${NEW},${OLD}`));
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        webhookSecrets: { old: 2, plaintext: 1, gone: 1 },
        keysNotInRing: ["gone"],
      });

      const rotate = await runCli(["keys", "rotate"], env(`${NEW},${OLD}`));
      expect(rotate.code).toBe(1);
      expect(rotate.stdout).toMatch(/^ {2}webhook secrets 2 re-sealed$/m);
      expect(rotate.stdout).toContain(
        "not re-sealed: 1 webhook secret under gone, which JOB_ENCRYPTION_KEYS lacks: add gone to the ring (after the active key) and run again",
      );
      expect(rotate.stdout).toContain(
        "not re-sealed: 1 webhook secret whose ciphertext does not authenticate (their webhooks fail with WEBHOOK_SECRET_UNREADABLE)",
      );

      const after = await runCli(["keys", "status"], env(`${NEW},${OLD},${GONE}`));
      expect(after.stdout).toMatch(/^webhook secrets gone 1, new 2, old 1$/m);
      for (const secret of Object.values(SECRETS)) {
        expect(`${status.stdout}${rotate.stdout}${after.stdout}${rotate.stderr}`).not.toContain(
          secret,
        );
      }
    });
  });
});
