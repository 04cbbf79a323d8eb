/** The client's settings, checked once and completed with their defaults. */
import { type Logger, silentLogger } from "../logging/logger";
import type { ExchangeObserver } from "./exchange-observer";
import type { TrustSettings } from "./tls";

export interface AxelnacClientOptions extends TrustSettings {
  /** The appliance's origin, e.g. https://nac.example:9999 (no path, query or credentials). */
  url: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Longest an exchange may take, from the request going out to the answer's last byte (the wait
   * for a free connection and connecting are not counted). Default 30 s.
   */
  requestTimeoutMs?: number;
  /** Connections to the appliance, one request each. Default 8: it serves about 8 at once. */
  maxConnections?: number;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Told of every exchange with the appliance (its operation, status and duration): for metrics. */
  onExchange?: ExchangeObserver;
}

export const CLIENT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 8,
} as const;

export interface ResolvedOptions {
  origin: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  logger: Logger;
}

export function resolveOptions(options: AxelnacClientOptions): ResolvedOptions {
  return {
    origin: parseOrigin(options.url),
    connectTimeoutMs: positive("connectTimeoutMs", options.connectTimeoutMs, CLIENT_DEFAULTS),
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, CLIENT_DEFAULTS),
    maxConnections: positive("maxConnections", options.maxConnections, CLIENT_DEFAULTS),
    logger: options.logger ?? silentLogger(),
  };
}

/** The API lives at /api/v1 on the origin; a path prefix would be silently dropped, so refuse it. */
function parseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`AxelNAC URL "${text}" is not a URL: expected e.g. https://nac.example:9999`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`AxelNAC URL must start with https:// (or http://), got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new Error(
      "AxelNAC URL must not carry credentials: set AXELNAC_USERNAME/AXELNAC_PASSWORD",
    );
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new Error(
      `AxelNAC URL must be an origin only (scheme, host, port), e.g. ${url.origin}; drop "${url.pathname}${url.search}${url.hash}"`,
    );
  }
  return url.origin;
}

function positive(
  name: keyof typeof CLIENT_DEFAULTS,
  value: number | undefined,
  defaults: typeof CLIENT_DEFAULTS,
): number {
  if (value === undefined) return defaults[name];
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`AxelNAC client option ${name} must be a positive number, got ${value}`);
  }
  return name === "maxConnections" ? Math.floor(value) : value;
}
