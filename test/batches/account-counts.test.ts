import type Redis from "ioredis";
import {
  type AccountOutcome,
  REGISTERED,
  readAccountCounts,
  recordAccountOutcomes,
} from "../../src/batches/account-counts";
import { batchKeys } from "../../src/batches/batch-keys";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

describe("an onboarded batch's account counts", () => {
  const prefix = uniquePrefix("accounts");
  const keys = batchKeys(prefix, "q");
  let redis: Redis;

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const record = (batch: string, ...outcomes: [string, AccountOutcome][]) =>
    recordAccountOutcomes(
      redis,
      keys,
      batch,
      outcomes.map(([pid, outcome]) => ({ pid, outcome })),
    );

  it("a batch with no registered guest was not onboarded", async () => {
    expect(await readAccountCounts(redis, keys, "plain")).toBeUndefined();
  });

  it("counts each guest once, in one outcome; registered guests not answered yet are pending", async () => {
    await redis.sadd(keys.accounts("b1", REGISTERED), "a", "b", "c", "d", "e");
    await record("b1", ["a", "created"], ["b", "existing"], ["c", "refused"], ["a", "created"]);
    expect(await readAccountCounts(redis, keys, "b1")).toEqual({
      guests: 5,
      created: 1,
      reset: 0,
      existing: 1,
      refused: 1,
      pending: 2,
    });
  });

  it("what the batch did to an account wins over what a later run found; a refused guest later found or created is no longer refused", async () => {
    await redis.sadd(keys.accounts("b2", REGISTERED), "a", "b", "c", "d");
    await record("b2", ["a", "created"], ["b", "refused"], ["c", "refused"], ["d", "existing"]);
    await record("b2", ["a", "existing"], ["b", "existing"], ["c", "created"], ["d", "refused"]);
    expect(await readAccountCounts(redis, keys, "b2")).toMatchObject({
      created: 2,
      existing: 2,
      refused: 0,
      pending: 0,
    });
    await record("b2", ["a", "reset"], ["b", "reset"]);
    expect(await readAccountCounts(redis, keys, "b2")).toMatchObject({
      created: 1,
      reset: 2,
      existing: 1,
      refused: 0,
    });
    await record("b2", ["a", "created"]);
    expect(await readAccountCounts(redis, keys, "b2")).toMatchObject({ created: 2, reset: 1 });
  });
});
