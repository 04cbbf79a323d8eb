import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type Redis from "ioredis";
import { formatDuration } from "../config/duration";
import { apiError } from "./api-error-codes";
import { LeasedRateLimitStore } from "./rate-limit-leases";

export interface RateLimitOptions {
  redis: Redis;
  /** Where the counters live: `<prefix>:<queue>:rate-limit:`. */
  keyPrefix: string;
  max: number;
  windowMs: number;
}

/**
 * At most `max` requests per window for each API key, counted in Redis so that every `serve`
 * instance shares the count (in leased blocks: LeasedRateLimitStore); a route without a key
 * counts per client address. Beyond it, 429
 * RATE_LIMITED with Retry-After (seconds). Registered before the routes, whose hooks it adds.
 */
export async function limitRequestRate(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  const window = formatDuration(options.windowMs);
  await app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    store: leasedStore(options),
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      apiError(
        "RATE_LIMITED",
        `more than ${context.max} requests in ${window}: retry in ${context.after}`,
        { limit: context.max, window, retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      ),
  });
}

/** The API key's id once authenticated (the authentication hook runs before this one), else the address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`;
}

/** @fastify/rate-limit builds its store itself, from a class: this one is bound to the connection. */
function leasedStore(options: RateLimitOptions) {
  return class extends LeasedRateLimitStore {
    constructor() {
      super(options.redis, options.keyPrefix);
    }
  };
}
