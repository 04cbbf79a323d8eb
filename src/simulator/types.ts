import type { StoredGuest } from "./guest-directory";
import type { ApiAccountOptions } from "./options";

/**
 * The simulator's public shapes. The lead's code and tests depend on these names: change them
 * only together with every caller.
 */

/** Misbehaviour injected into `send_user_credentials`, so a client's failure paths can be tested. */
export interface Faults {
  /** Added to every API answer (login, token_info, sends, 401s, 404s). */
  latencyMs: number;
  /** Share (0..1) of sends answered 500: the SMS provider failed, nothing was sent. */
  failRate: number;
  /** Share of sends answered 503 by the "proxy": no worker available. */
  unavailableRate: number;
  /**
   * Share of sends answered 502 `{"status":502,"message":"Proxy Error"}` by the proxy in front of
   * the API (its worker died mid-request): here, before the SMS went out.
   */
  proxyErrorRate: number;
  /**
   * Share of sends answered by HAProxy's own 504 HTML page (its server timeout) while the API
   * worker goes on: here, the SMS did go out.
   */
  gatewayTimeoutRate: number;
  /**
   * Time an API worker spends on each item of a users/bulk_import (a person saved, a password
   * hashed with bcrypt), answering after all of them; 0 by default.
   */
  bulkImportItemMs: number;
  /** Share of sends answered 429 with a Retry-After header. */
  throttleRate: number;
  /** Retry-After of the 429, in whole seconds. */
  retryAfterSeconds: number;
  /** Share of sends whose socket is destroyed after the request is read: no answer at all. */
  resetRate: number;
  /** Share of sends that are read and never answered. */
  hangRate: number;
  /**
   * Share of sends accepted (the SMS is sent) whose 200 answer trickles in: the headers at once,
   * then the body one byte every `trickleIntervalMs`, as over a stalled link or proxy.
   */
  trickleRate: number;
  /** The pause between two bytes of a trickled answer. */
  trickleIntervalMs: number;
}

/** One SMS the simulator accepted. Holds no plaintext password. */
export interface SentSms {
  pid: string;
  /** The first character and "***", enough for a human to tell passwords apart. */
  maskedPassword: string;
  /** `Simulator.fingerprint(password)` of the password that was sent. */
  passwordFingerprint: string;
  telephone: string;
  sourceId: string;
  /** ISO 8601 time of acceptance. */
  at: string;
  /**
   * For a guest created through users/bulk_import: whether the SMS carries the password the
   * appliance holds for them now (false: a password it no longer accepts).
   */
  passwordIsCurrent?: boolean;
}

export interface SimulatorStats {
  logins: number;
  loginFailures: number;
  sendRequests: number;
  sent: number;
  /** 401s: no token, an unknown or expired one. */
  unauthorized: number;
  /** 403s: a valid token whose account lacks the admin role the request needs. */
  forbidden: number;
  /** API answers by status code, e.g. {"200": 10, "401": 2}. Control API answers are not counted. */
  responses: Record<string, number>;
  /** API requests received and not yet answered, including those waiting at the gate. */
  inFlight: number;
  peakInFlight: number;
  /** Most API requests served at once (never more than maxConcurrent). */
  peakServing: number;
}

export interface Simulator {
  /** e.g. "http://127.0.0.1:43121", without a trailing slash. */
  url: string;
  /** With `tls`: the file holding the self-signed certificate, to trust it (AXELNAC_CA_FILE). */
  caFile?: string;
  caPem?: string;
  stats(): SimulatorStats;
  outbox(): SentSms[];
  /** A guest as the appliance holds it (created by users/bulk_import or from the guest list). */
  guest(pid: string): StoredGuest | undefined;
  /** HMAC-SHA256 (hex) under a key of this simulator: compare with `SentSms.passwordFingerprint`. */
  fingerprint(password: string): string;
  setFaults(faults: Partial<Faults>): void;
  revokeAllTokens(): void;
  /** Adds an API account, or replaces the one of the same name (e.g. to take a role away). */
  setAccount(account: ApiAccountOptions): void;
  /** Refuses and drops every connection for `ms`, then listens again on the same port. */
  goDown(ms: number): Promise<void>;
  /** Clears the counters and the outbox. */
  resetCounters(): void;
  close(): Promise<void>;
}
