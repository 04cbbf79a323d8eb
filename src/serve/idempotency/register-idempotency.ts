import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type Redis from "ioredis";
import type { Logger } from "../../logging/logger";
import type { ApiError } from "../api-error";
import { type BodyStream, fingerprintingStream, RequestFingerprint } from "./fingerprint";
import { bodyIsFingerprintable, hasBody } from "./fingerprintable-body";
import { decideOnExisting } from "./idempotency-decision";
import {
  idempotencyKeyReused,
  idempotentRequestInProgress,
  invalidIdempotencyKey,
} from "./idempotency-errors";
import { parseIdempotencyKey } from "./idempotency-key";
import type { StoredResponse } from "./idempotency-record";
import { IdempotencyStore, idempotencyRecordKey } from "./idempotency-store";

/** The header a replayed response carries, as Stripe names it. */
export const REPLAY_HEADER = "idempotent-replayed";

export const DEFAULT_MAX_STORED_BYTES = 1024 * 1024;
export const DEFAULT_RUNNING_LEASE_MS = 5 * 60_000;

export interface IdempotencyOptions {
  redis: Redis;
  /** Prefix of the records' keys (`<keyPrefix>:idempotency:…`), e.g. `<REDIS_KEY_PREFIX>:<QUEUE_NAME>`. */
  keyPrefix: string;
  /** Key of the fingerprints' HMAC: resolveIdempotencySecret. */
  secret: string;
  /** IDEMPOTENCY_TTL: how long a response is replayed. */
  ttlMs: number;
  logger: Logger;
  /**
   * How long a key stays claimed by a request that has not answered (capped at `ttlMs`): a
   * server that dies mid-request frees its keys after it, rather than answering 409 for a day.
   */
  runningLeaseMs?: number;
  /** Larger responses are not stored: the key is released instead, and a warning logged. */
  maxStoredBytes?: number;
}

interface Claimed {
  step: "claimed";
  recordKey: string;
  claim: string;
  fingerprint: string;
}

type RequestState =
  | { step: "reading"; idempotencyKey: string; fingerprint: RequestFingerprint }
  | Claimed;

/**
 * Adds the Idempotency-Key layer to `app` as four hooks, which apply to every POST route of `app`
 * and of the plugins registered in it (Fastify binds hooks when the app is ready, so routes may be
 * declared before or after). Call it on the instance that holds the API's routes, after the
 * authentication hook is added: records are scoped by `request.apiKey`, and a route that needs a
 * scope but finds no key at this layer's preHandler answers 500 rather than scope by address.
 *
 * - onRequest: a malformed key is refused (400) before anything else happens.
 * - preParsing: a JSON body is fingerprinted as Fastify's parser reads it (a pass-through
 *   stream feeding an HMAC); the body is not copied, and the app's parsers stay as they are.
 * - preHandler: the key is claimed in one Redis step, or the request is answered from its
 *   record: 409 while the first runs, 422 for a different request, else the stored response.
 * - onSend: the response is stored (2xx to 4xx) as it is sent; a 5xx, or one too large to store,
 *   releases the key so the client may retry.
 */
export function registerIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  const store = new IdempotencyStore(options.redis);
  const logger = options.logger.child({ component: "idempotency" });
  const leaseMs = Math.min(options.runningLeaseMs ?? DEFAULT_RUNNING_LEASE_MS, options.ttlMs);
  const maxStoredBytes = options.maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES;
  const states = new WeakMap<FastifyRequest, RequestState>();

  app.addHook("onRequest", async (request, reply) => {
    const header = request.headers["idempotency-key"];
    if (request.method !== "POST" || header === undefined) return;
    // No route (a 404): nothing to protect.
    if (request.routeOptions.url === undefined) return;
    // Repeated fields arrive joined, or as an array: either way more than one key, refused.
    const parsed = parseIdempotencyKey(Array.isArray(header) ? header.join(", ") : header);
    if (!parsed.ok) return sendError(reply, invalidIdempotencyKey(parsed.problem));
    if (!bodyIsFingerprintable(request.headers)) {
      logger.debug({ route: request.routeOptions.url }, "Idempotency-Key ignored: streamed body");
      return;
    }
    const fingerprint = new RequestFingerprint(options.secret, request.method, request.url);
    if (!hasBody(request.headers)) fingerprint.finish();
    states.set(request, { step: "reading", idempotencyKey: parsed.key, fingerprint });
  });

  app.addHook("preParsing", async (request, _reply, payload) => {
    const state = states.get(request);
    if (state?.step !== "reading" || state.fingerprint.finished) return payload;
    return fingerprintingStream(payload as BodyStream, state.fingerprint);
  });

  app.addHook("preHandler", async (request, reply) => {
    const state = states.get(request);
    if (state?.step !== "reading") return;
    states.delete(request);
    if (!state.fingerprint.finished) {
      // A parser that hands the handler a stream: the fingerprint would come too late.
      logger.warn({ route: request.routeOptions.url }, "Idempotency-Key ignored: body not read");
      return;
    }
    if (request.routeOptions.config.scope !== undefined && request.apiKey === undefined) {
      throw new Error(
        "the Idempotency-Key layer ran before authentication: register it after the authentication hook",
      );
    }
    const fingerprint = state.fingerprint.digest();
    const recordKey = idempotencyRecordKey(options.keyPrefix, {
      client: request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`,
      method: request.method,
      route: request.routeOptions.url as string,
      idempotencyKey: state.idempotencyKey,
    });
    const claim = randomUUID();
    const running = { state: "running" as const, fingerprint, claim, startedAt: Date.now() };
    const result = await store.claim(recordKey, running, leaseMs);
    if (result.claimed) {
      states.set(request, { step: "claimed", recordKey, claim, fingerprint });
      return;
    }
    const decision = decideOnExisting(result.existing, fingerprint);
    if (decision.kind === "reused") return sendError(reply, idempotencyKeyReused());
    if (decision.kind === "in-progress") {
      reply.header("retry-after", "1");
      return sendError(reply, idempotentRequestInProgress());
    }
    return replay(reply, decision.response);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const state = states.get(request);
    if (state?.step !== "claimed") return payload;
    states.delete(request);
    // Not awaited: the record is written while the response goes out, sparing every keyed request
    // a round trip. A retry that reaches this server still finds it written: the write went first
    // on the same connection, and Redis runs one connection's commands in order. A retry reaching
    // another server in that instant gets a 409, and its next try the replay.
    void settle(state, reply, payload);
    return payload;
  });

  /** Stores the response of a claimed request, or releases its key (5xx, stream, too large). */
  async function settle(state: Claimed, reply: FastifyReply, payload: unknown): Promise<void> {
    const where = { route: reply.request.routeOptions.url, status: reply.statusCode };
    try {
      const body = storableBody(payload);
      if (reply.statusCode >= 500) {
        await store.release(state.recordKey, state.claim);
        logger.debug(where, "Idempotency-Key released after a server error: the client may retry");
      } else if (body === undefined) {
        await store.release(state.recordKey, state.claim);
        logger.warn(where, "Idempotency-Key released: a streamed response cannot be stored");
      } else if (Buffer.byteLength(body) > maxStoredBytes) {
        await store.release(state.recordKey, state.claim);
        logger.warn(
          { ...where, bytes: Buffer.byteLength(body), maxStoredBytes },
          "Idempotency-Key released: the response is too large to store for replay",
        );
      } else {
        const response = { status: reply.statusCode, contentType: contentTypeOf(reply), body };
        const done = { state: "done" as const, fingerprint: state.fingerprint, response };
        const stored = await store.complete(
          state.recordKey,
          state.claim,
          { ...done, storedAt: Date.now() },
          options.ttlMs,
        );
        if (!stored) {
          logger.warn(where, "Idempotency-Key response not stored: the request outlived its lease");
        }
      }
    } catch (error) {
      // The client has its answer; the claim runs out with its lease.
      logger.error({ ...where, err: error }, "Idempotency-Key record not written");
    }
  }
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.statusCode)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(error.toBody()));
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  reply.code(response.status).header(REPLAY_HEADER, "true");
  if (response.contentType !== undefined) reply.type(response.contentType);
  return reply.send(response.body);
}

/** The payload as onSend sees it, as stored bytes; undefined for a stream, which is not read. */
function storableBody(payload: unknown): Buffer | string | undefined {
  if (typeof payload === "string" || Buffer.isBuffer(payload)) return payload;
  if (payload === null || payload === undefined) return "";
  return undefined;
}

function contentTypeOf(reply: FastifyReply): string | undefined {
  const value = reply.getHeader("content-type");
  return typeof value === "string" ? value : undefined;
}
