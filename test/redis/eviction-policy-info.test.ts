import { evictionProblem, maxmemoryPolicyOf } from "../../src/redis/eviction-policy";

const info = (policy: string, eol = "\r\n") =>
  [
    "# Memory",
    "used_memory:1032544",
    `maxmemory_policy:${policy}`,
    "allocator_frag_ratio:1.12",
  ].join(eol);

describe("maxmemoryPolicyOf", () => {
  it.each([
    ["\r\n", "noeviction"],
    ["\n", "allkeys-lru"],
  ])("reads the policy from INFO lines ending %j", (eol, policy) => {
    expect(maxmemoryPolicyOf(info(policy, eol))).toBe(policy);
  });

  it("reads the policy at the very start and end of the text", () => {
    expect(maxmemoryPolicyOf("maxmemory_policy:volatile-ttl")).toBe("volatile-ttl");
  });

  it("is undefined when INFO has no such line (a server that does not report one)", () => {
    expect(maxmemoryPolicyOf("# Memory\r\nused_memory:1\r\n")).toBeUndefined();
    expect(maxmemoryPolicyOf("")).toBeUndefined();
  });

  it("does not take a field that only contains the name", () => {
    expect(maxmemoryPolicyOf("# Memory\r\nold_maxmemory_policy:allkeys-lru\r\n")).toBeUndefined();
  });
});

describe("evictionProblem", () => {
  it("sees none with noeviction, or when the server reports no policy", () => {
    expect(evictionProblem(info("noeviction"), "redis://r:6379")).toBeUndefined();
    expect(evictionProblem("# Memory\r\n", "redis://r:6379")).toBeUndefined();
  });

  it.each(["allkeys-lru", "volatile-lru", "allkeys-random", "volatile-ttl", "noeviction-ish"])(
    "names %s, the server and the fix",
    (policy) => {
      expect(evictionProblem(info(policy), "redis://r:6379")).toEqual({
        code: "COURIER_REDIS_EVICTION_POLICY",
        policy,
        message: `Redis at redis://r:6379 evicts keys under memory pressure (maxmemory-policy ${policy}): waiting jobs, with their passwords, and the fleet's token can vanish; set maxmemory-policy noeviction`,
      });
    },
  );
});
