import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import {
  PasswordChangeError,
  type PasswordPolicy,
  rewritePasswords,
} from "../../src/batches/password-change";
import { duplicateKey } from "../../src/jobs/duplicate-key";
import { passwordAad } from "../../src/jobs/job-password";
import { KeyRing, open, seal } from "../../src/secrets";
import { deleteKeys, testRedis } from "../support/redis";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 7).toString("base64")}`);

/** The new data `failed retry --passwords` gives a stored job, read from a real Redis. */
describe("rewritePasswords", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const queue = new Queue(queueName, { connection: redis });
  const policy: PasswordPolicy = {
    ring: undefined,
    duplicateKeySecret: "secret",
    duplicateWindowMs: 60_000,
  };

  const stored = async (data: Record<string, unknown>) => {
    const job = await queue.add("deliver", data);
    return job.id as string;
  };

  afterAll(async () => {
    await deleteKeys(redis, `bull:${queueName}:`);
    await queue.close();
    redis.disconnect();
  });

  it("without a key ring, stores the new password in plaintext and keeps the job's other fields", async () => {
    const id = await stored({ pid: "ann", password: "wrong-pw", source_id: "sms", batch_id: "b" });
    const rewrites = await rewritePasswords(
      queue,
      redis,
      new Map([[id, { line: 2, pid: "ann", password: "right-pw" }]]),
      policy,
    );
    const rewrite = rewrites.get(id);
    expect(rewrite?.from).toBe(await redis.hget(queue.toKey(id), "data"));
    expect(JSON.parse(rewrite?.to ?? "")).toEqual({
      pid: "ann",
      password: "right-pw",
      source_id: "sms",
      batch_id: "b",
    });
    expect(rewrite?.protection).toEqual({
      id: duplicateKey("secret", { pid: "ann", password: "right-pw", source_id: "sms" }),
      ttlMs: 60_000,
    });
  });

  it("with a key ring, seals the new password bound to the pid and the new source", async () => {
    const old = seal(RING, "wrong-pw", passwordAad({ pid: "bob", source_id: "smss" }));
    const id = await stored({ pid: "bob", password: old, source_id: "smss" });
    const rewrites = await rewritePasswords(
      queue,
      redis,
      new Map([[id, { line: 2, pid: "bob", password: "right-pw" }]]),
      { ...policy, ring: RING, sourceId: "sms" },
    );
    const to = JSON.parse(rewrites.get(id)?.to ?? "") as Record<string, string>;
    expect(to.source_id).toBe("sms");
    expect(JSON.stringify(to)).not.toContain("right-pw");
    const opened = open(RING, to.password as string, passwordAad({ pid: "bob", source_id: "sms" }));
    expect(opened).toMatchObject({ ok: true, text: "right-pw" });
    expect(rewrites.get(id)?.protection?.id).toBe(
      duplicateKey("secret", { pid: "bob", password: "right-pw", source_id: "sms" }),
    );
  });

  it("refuses to store a plaintext password in place of a sealed one, naming the job but no password", async () => {
    const old = seal(RING, "wrong-pw", passwordAad({ pid: "cy", source_id: "sms" }));
    const id = await stored({ pid: "cy", password: old, source_id: "sms" });
    const rewriting = rewritePasswords(
      queue,
      redis,
      new Map([[id, { line: 2, pid: "cy", password: "right-pw" }]]),
      policy,
    );
    await expect(rewriting).rejects.toThrow(PasswordChangeError);
    await expect(rewriting).rejects.toThrow(
      `job ${id}: its password is sealed, and so must the new one be: set JOB_ENCRYPTION_KEYS`,
    );
  });

  it("adds no duplicate protection when DUPLICATE_WINDOW is 0", async () => {
    const id = await stored({ pid: "dee", password: "wrong-pw", source_id: "sms" });
    const rewrites = await rewritePasswords(
      queue,
      redis,
      new Map([[id, { line: 2, pid: "dee", password: "right-pw" }]]),
      { ...policy, duplicateWindowMs: 0 },
    );
    expect(rewrites.get(id)?.protection).toBeUndefined();
  });
});
