/**
 * What the client tells an observer (metrics) of each exchange with the appliance: which API
 * operation, how it ended, how long it took. Never the request or the answer, which may hold a
 * password or a token.
 */
import type { CallContext } from "./classify";
import { type ExchangeResult, RequestDeadlineError } from "./exchange";

export interface ExchangeSeen {
  /** The API operation, as the appliance's documentation names it: `send_user_credentials`… */
  operation: ApiOperation;
  /**
   * The answer's HTTP status; without a complete answer, how it ended: `timeout` (no complete
   * answer within AXELNAC_REQUEST_TIMEOUT), `reset` (cut after the request went out),
   * `unreachable` (it never went out: refused, DNS, TLS, connect timeout).
   */
  status: number | "timeout" | "reset" | "unreachable";
  /** From the request going out to the answer's last byte (or the failure). */
  seconds: number;
}

export type ExchangeObserver = (seen: ExchangeSeen) => void;

const API_OPERATIONS = {
  login: "login",
  send: "send_user_credentials",
  token_info: "token_info",
  user: "get_user",
  bulk_import: "bulk_import",
} as const satisfies Record<CallContext["operation"], string>;

export type ApiOperation = (typeof API_OPERATIONS)[CallContext["operation"]];

export function exchangeSeen(
  operation: CallContext["operation"],
  result: ExchangeResult,
  seconds: number,
): ExchangeSeen {
  return { operation: API_OPERATIONS[operation], status: exchangeStatus(result), seconds };
}

function exchangeStatus(result: ExchangeResult): ExchangeSeen["status"] {
  if (result.ok) return result.status;
  if (result.error instanceof RequestDeadlineError) return "timeout";
  return result.requestSent ? "reset" : "unreachable";
}
