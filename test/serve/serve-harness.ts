import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { Queue } from "bullmq";
import type Redis from "ioredis";
import { type Dispatcher, request } from "undici";
import { type Config, loadConfig } from "../../src/config/config";
import type { AppOptions } from "../../src/serve/app";
import type { Scope } from "../../src/serve/scopes";
import { type RunningServer, startServer } from "../../src/serve/server";
import type { DeliveryHarness } from "../support/delivery-harness";
import { type CapturedLog, captureLog } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

export interface ServeHarnessOptions extends AppOptions {
  /** Share a delivery harness' queue, key prefix and Redis, so its workers deliver what is posted. */
  deliveries?: DeliveryHarness;
  /**
   * A second server on another harness' queue, key prefix and Redis, whose API keys it takes (a
   * setting or route of its own beside the first); its close() leaves the keys to the first's.
   */
  alongside?: ServeHarness;
  /** Settings beyond the queue's (SERVE_BODY_LIMIT, API_RATE_LIMIT…). */
  settings?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined for an empty one). */
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
  /** The body as it came, to scan for secrets. */
  text: string;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** A body sent as it is (a stream: as it is read, chunked), with its own content type. */
  raw?: { content: string | Buffer | Readable; type: string };
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

/** The Authorization header's value that presents an API key, as a client sends it. */
export function authorizationOf(key: string): string {
  return `Bearer ${key}`;
}

/** The id of a key as `api-keys create` printed it (`<id>.<secret>`): jobs' `submitted_by`. */
export function keyIdOf(key: string): string {
  return key.split(".")[0] as string;
}

/**
 * `serve`'s server as the CLI starts it (startServer), listening on 127.0.0.1 on a free port, on
 * the suite's Redis under a queue and key prefix of its own (or a delivery harness'), its log
 * captured. `close()` stops it and removes every key it wrote.
 */
export class ServeHarness {
  readonly answers: string[] = [];

  private constructor(
    /** REDIS_URL, QUEUE_NAME and REDIS_KEY_PREFIX of this server. */
    private readonly queueEnv: Record<string, string>,
    readonly config: Config,
    readonly log: CapturedLog,
    readonly server: RunningServer,
    readonly redis: Redis,
    readonly queue: Queue,
    private readonly owned: boolean,
  ) {}

  static async start(options: ServeHarnessOptions = {}): Promise<ServeHarness> {
    const env = options.alongside
      ? options.alongside.queueEnv
      : options.deliveries
        ? options.deliveries.workerEnv()
        : {
            REDIS_URL: testRedisUrl(),
            QUEUE_NAME: `test-${randomUUID()}`,
            REDIS_KEY_PREFIX: uniquePrefix("serve"),
          };
    const queueEnv = {
      REDIS_URL: env.REDIS_URL as string,
      QUEUE_NAME: env.QUEUE_NAME as string,
      REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX as string,
    };
    const config = loadConfig({
      ...queueEnv,
      SERVE_HOST: "127.0.0.1",
      SERVE_PORT: "0",
      SERVE_SHUTDOWN_DELAY: "0s",
      ...options.settings,
    });
    const log = captureLog("trace");
    const server = await startServer(config, log.logger, options);
    const redis = testRedis();
    const queue = new Queue(config.queue.name, { connection: redis });
    const owned = !options.deliveries && !options.alongside;
    return new ServeHarness(queueEnv, config, log, server, redis, queue, owned);
  }

  get url(): string {
    return this.server.url;
  }

  /** A new API key with these scopes, made as `api-keys create` makes one. */
  async key(scopes: Scope[], name = "test client"): Promise<string> {
    return (await this.server.deps.apiKeys.create({ name, scopes })).key;
  }

  async call(
    method: Dispatcher.HttpMethod,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = authorizationOf(options.key);
    let body: string | Buffer | Readable | undefined;
    if (options.raw) {
      body = options.raw.content;
      headers["content-type"] = options.raw.type;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const answer = await request(`${this.url}${path}`, {
      method,
      headers,
      body,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const text = await answer.body.text();
    this.answers.push(text);
    return {
      status: answer.statusCode,
      headers: answer.headers,
      body:
        text && /json/.test(String(answer.headers["content-type"])) ? JSON.parse(text) : undefined,
      text,
    };
  }

  /** Every response body so far and every log line, for a secret scan. */
  everythingSaid(): string {
    return `${this.answers.join("\n")}\n${this.log.text()}`;
  }

  async close(): Promise<void> {
    await this.server.stop();
    await this.queue.close();
    if (this.owned) {
      await deleteKeys(this.redis, `bull:${this.config.queue.name}:`);
      await deleteKeys(this.redis, `${this.config.redisKeyPrefix}:`);
    }
    this.redis.disconnect();
  }
}
