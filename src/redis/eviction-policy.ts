/**
 * Whether a Redis may drop the courier's keys. Pure: the text of `INFO memory` in, a problem
 * out. Only `noeviction` keeps every key under memory pressure; any other policy may evict
 * waiting jobs (their passwords with them), batch counters or the fleet's token.
 */

export const EVICTION_POLICY_CODE = "COURIER_REDIS_EVICTION_POLICY";

export interface EvictionProblem {
  code: typeof EVICTION_POLICY_CODE;
  policy: string;
  message: string;
}

/** The `maxmemory_policy` INFO reports, or undefined when it reports none (not every server does). */
export function maxmemoryPolicyOf(info: string): string | undefined {
  const line = info.split(/\r?\n/).find((entry) => entry.startsWith("maxmemory_policy:"));
  return line?.slice("maxmemory_policy:".length).trim();
}

/** The problem with the policy INFO reports for the Redis at `where`, or undefined when there is none. */
export function evictionProblem(info: string, where: string): EvictionProblem | undefined {
  const policy = maxmemoryPolicyOf(info);
  if (policy === undefined || policy === "noeviction") return undefined;
  return {
    code: EVICTION_POLICY_CODE,
    policy,
    message: `Redis at ${where} evicts keys under memory pressure (maxmemory-policy ${policy}): waiting jobs, with their passwords, and the fleet's token can vanish; set maxmemory-policy noeviction`,
  };
}
