import { IS_STORED_BATCH_ID_LUA, isStoredBatchId } from "../../src/jobs/batch-id-rule";
import { testRedis } from "../support/redis";

/**
 * The worker counts a job under the batch `isStoredBatchId` takes from its data; `failed retry`
 * and `purge` find it inside Redis with the Lua twin. Where they disagree, a retried job would
 * come off another batch's count.
 */
describe("a stored batch id, read by the worker and by the scripts in Redis", () => {
  const redis = testRedis();
  afterAll(() => redis.quit());

  const samples = [
    "Выставка 2026",
    "expo-2026",
    "東京 2026",
    "a".repeat(128),
    "a".repeat(129),
    "я".repeat(64),
    "я".repeat(65),
    "",
    "expo~2026",
    "expo:2026",
    "expo\n",
    "expo\u007f",
    "expo\u00a02026",
    "expo\u202e2026",
    "a/b",
    "x y",
    "-.",
    7,
    null,
  ];

  it.each(samples.map((sample) => [JSON.stringify(sample), sample]))(
    "%s: the same answer in Lua as in the worker",
    async (_, sample) => {
      const script = `${IS_STORED_BATCH_ID_LUA}
local data = cjson.decode(ARGV[1])
return isStoredBatchId(data['batch_id']) and 1 or 0`;
      const answer = await redis.eval(script, 0, JSON.stringify({ batch_id: sample }));
      const expected = typeof sample === "string" && isStoredBatchId(sample) ? 1 : 0;
      expect(answer).toBe(expected);
    },
  );
});
