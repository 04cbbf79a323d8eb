/**
 * The AxelNAC REST client: log in, send a guest's credentials by SMS, ask about a token. One undici
 * Pool per client (keep-alive, one request per connection, at most `maxConnections`). Every
 * failure is thrown as an AxelnacError subclass; nothing it throws or logs holds a password or a
 * token.
 */
import { Pool } from "undici";
import type { Logger } from "../logging/logger";
import { parseBody, scrub } from "./body";
import {
  BULK_IMPORT_PATH,
  type BulkImportRequest,
  bulkImportAnswerBytes,
  classifyBulkImportReply,
  type GuestAccountResult,
} from "./bulk-import";
import {
  type CallContext,
  classifyLoginReply,
  classifySendReply,
  classifyTokenInfoReply,
  classifyUserReply,
  type Delivered,
  type GuestRecord,
  isSuccess,
  type Reply,
} from "./classify";
import { classifyTransportFailure } from "./classify-network";
import { type AxelnacError, isAxelnacError } from "./errors";
import { type ApiRequest, type ExchangeResult, exchange } from "./exchange";
import { type ExchangeObserver, exchangeSeen } from "./exchange-observer";
import { type AxelnacClientOptions, resolveOptions } from "./options";
import { tlsConnectOptions } from "./tls";

export const LOGIN_PATH = "/api/v1/login";
export const SEND_USER_CREDENTIALS_PATH = "/api/v1/sms_gateways/send_user_credentials";
export const TOKEN_INFO_PATH = "/api/v1/token_info";
export const USER_PATH = "/api/v1/user/";

export interface SendUserCredentialsArgs {
  /** The guest's user name. */
  pid: string;
  /** The guest's plaintext password (the appliance keeps only a hash, so it must be sent). */
  password: string;
  /** The authentication source that sends the SMS. */
  source_id: string;
}

export class AxelnacClient {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #onExchange: ExchangeObserver | undefined;

  constructor(options: AxelnacClientOptions) {
    const resolved = resolveOptions(options);
    this.#logger = resolved.logger;
    this.#onExchange = options.onExchange;
    this.#requestTimeoutMs = resolved.requestTimeoutMs;
    this.#pool = new Pool(resolved.origin, {
      connections: resolved.maxConnections,
      pipelining: 1,
      // Each exchange has a deadline of its own (exchange.ts) covering headers and body together;
      // undici's per-stage idle timeouts would only race it with a less telling error.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { ...tlsConnectOptions(options), timeout: resolved.connectTimeoutMs },
    });
    if (options.insecureSkipTlsVerify) {
      this.#logger.warn(
        { axelnacUrl: resolved.origin },
        "TLS certificate verification of the AxelNAC appliance is DISABLED (insecureSkipTlsVerify): anyone on the network path can read the API token and guest passwords",
      );
    }
  }

  /** Logs in with the API account; resolves to the token. */
  async login(credentials: { username: string; password: string }): Promise<string> {
    const context: CallContext = { operation: "login" };
    const secrets = [credentials.password];
    const result = await this.#call(context, {
      method: "POST",
      path: LOGIN_PATH,
      headers: {},
      body: JSON.stringify({ username: credentials.username, password: credentials.password }),
    });
    const outcome = result.ok
      ? classifyLoginReply(toReply(result, secrets))
      : classifyTransportFailure(result, context, secrets);
    if (typeof outcome !== "string") throw this.#failed(outcome);
    this.#logger.debug({ operation: "login", status: result.status }, "axelnac login ok");
    return outcome;
  }

  /** Asks the appliance to SMS the guest their credentials. Resolves once it accepted (2xx). */
  async sendUserCredentials(args: SendUserCredentialsArgs, token: string): Promise<Delivered> {
    const context: CallContext = { operation: "send", pid: args.pid };
    const secrets = [args.password, token];
    const result = await this.#call(context, {
      method: "POST",
      path: SEND_USER_CREDENTIALS_PATH,
      // Capital B: the appliance strips the prefix case-sensitively (docs/axelnac-api.md §2).
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        args: { pid: args.pid, password: args.password, source_id: args.source_id },
      }),
    });
    const outcome = result.ok
      ? classifySendReply(toReply(result, secrets), args.pid)
      : classifyTransportFailure(result, context, secrets);
    if (isAxelnacError(outcome)) throw this.#failed(outcome);
    this.#logger.debug(
      { operation: "send", pid: args.pid, status: outcome.status },
      "axelnac send_user_credentials accepted",
    );
    return outcome;
  }

  /**
   * Asks the appliance about `token`: an authenticated call that changes nothing (it only restarts
   * the token's idle timer), for `check` to prove the API accepts a token. Resolves when it does.
   */
  async tokenInfo(token: string): Promise<void> {
    const context: CallContext = { operation: "token_info" };
    const secrets = [token];
    const result = await this.#call(context, {
      method: "GET",
      path: TOKEN_INFO_PATH,
      headers: { authorization: `Bearer ${token}` },
    });
    const outcome = result.ok
      ? classifyTokenInfoReply(toReply(result, secrets))
      : classifyTransportFailure(result, context, secrets);
    if (outcome !== true) throw this.#failed(outcome);
  }

  /**
   * Looks a guest up (GET /api/v1/user/{pid}; the account needs USERS_READ). Resolves to the
   * guest's record, or null when the appliance has no such guest.
   */
  async getUser(pid: string, token: string): Promise<GuestRecord | null> {
    const context: CallContext = { operation: "user", pid };
    const secrets = [token];
    const result = await this.#call(context, {
      method: "GET",
      path: `${USER_PATH}${encodeURIComponent(pid)}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const outcome = result.ok
      ? classifyUserReply(toReply(result, secrets), pid)
      : classifyTransportFailure(result, context, secrets);
    if (isAxelnacError(outcome)) throw this.#failed(outcome);
    return outcome;
  }

  /**
   * Creates or updates guest accounts (POST /api/v1/users/bulk_import; the account needs
   * USERS_CREATE). Resolves to one result per item, in order; a saved item's result carries the
   * password the appliance now holds for that guest.
   */
  async bulkImportUsers(request: BulkImportRequest, token: string): Promise<GuestAccountResult[]> {
    const guests = request.items.length;
    const context: CallContext = { operation: "bulk_import", guests };
    const sentPasswords = request.items.flatMap((item) => (item.password ? [item.password] : []));
    const result = await this.#call(context, {
      method: "POST",
      path: BULK_IMPORT_PATH,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(request),
      maxBodyBytes: bulkImportAnswerBytes(guests),
    });
    // A 2xx is read whole, since it carries the passwords the courier must deliver; any other
    // answer is scrubbed of the ones sent before it can reach a message.
    const outcome = !result.ok
      ? classifyTransportFailure(result, context, [token, ...sentPasswords])
      : classifyBulkImportReply(
          toReply(result, isSuccess(result.status) ? [token] : [token, ...sentPasswords]),
          guests,
        );
    if (isAxelnacError(outcome)) throw this.#failed(outcome);
    this.#logger.debug({ operation: "bulk_import", guests }, "axelnac users bulk_import answered");
    return outcome;
  }

  /** Waits for requests in flight, then closes every connection. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /**
   * Closes every connection now: requests in flight end at once, as failures (a send already
   * written is then of unknown outcome). For a shutdown that cannot wait any longer.
   */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }

  async #call(
    context: CallContext,
    request: Omit<ApiRequest, "deadlineMs">,
  ): Promise<ExchangeResult> {
    const pid = "pid" in context ? { pid: context.pid } : {};
    this.#logger.trace(
      { operation: context.operation, ...pid, path: request.path },
      "axelnac request",
    );
    const started = performance.now();
    const result = await exchange(this.#pool, {
      ...request,
      headers: { accept: "application/json", ...request.headers },
      deadlineMs: this.#requestTimeoutMs,
    });
    const durationMs = performance.now() - started;
    this.#onExchange?.(exchangeSeen(context.operation, result, durationMs / 1_000));
    this.#logger.trace(
      {
        operation: context.operation,
        ...pid,
        status: result.status,
        durationMs: Math.round(durationMs),
      },
      "axelnac reply",
    );
    return result;
  }

  #failed(error: AxelnacError): AxelnacError {
    this.#logger.debug(
      {
        operation: error.operation,
        pid: error.pid,
        code: error.code,
        failureClass: error.failureClass,
        status: error.status,
      },
      error.message,
    );
    return error;
  }
}

function toReply(result: Extract<ExchangeResult, { ok: true }>, secrets: readonly string[]): Reply {
  return {
    status: result.status,
    headers: result.headers,
    body: parseBody(scrub(result.text, secrets)),
  };
}
