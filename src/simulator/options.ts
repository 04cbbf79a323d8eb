import { type Logger, silentLogger } from "../logging/logger";
import { type ApiAccount, fullAccount } from "./accounts";
import { validateFaults } from "./faults";
import type { Faults } from "./types";

export interface SimulatorOptions {
  /** Default 9999; 0 picks any free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default "admin". */
  username?: string;
  /** Default "admin". */
  password?: string;
  /**
   * More API accounts besides `username`, which may do everything: e.g. one whose admin actions
   * lack SYSTEM_CREATE, which the appliance answers 403 on a send.
   */
  accounts?: ApiAccountOptions[];
  /** Default 15 min: every authenticated request resets it. */
  idleTimeoutMs?: number;
  /** Default 12 h from login, whatever the activity. */
  maxLifetimeMs?: number;
  /** HTTPS with a generated self-signed certificate for 127.0.0.1, ::1 and localhost. */
  tls?: boolean;
  /** Added to every API answer. */
  latencyMs?: number;
  /** 0..1 share of sends answered 500 (provider failure, nothing sent). */
  failRate?: number;
  /** pid -> telephone; undefined accepts any pid and gives it a fake number. */
  guests?: Map<string, string>;
  /** Known SMS source ids; undefined accepts any source_id. */
  sources?: string[];
  /** Default 8 (pfperl_api_processes): requests served at once; the rest wait in FIFO order. */
  maxConcurrent?: number;
  logger?: Logger;
}

/** The options with every default applied, checked once here so the rest can trust them. */
export interface SimulatorSettings {
  port: number;
  host: string;
  /** The options' user first, allowed everything; then `accounts`. */
  accounts: ApiAccount[];
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  tls: boolean;
  guests: Map<string, string> | undefined;
  sources: Set<string> | undefined;
  maxConcurrent: number;
  logger: Logger;
  initialFaults: Partial<Faults>;
}

/** The appliance's own defaults: PacketFence conf/pf.conf.defaults, docs/axelnac-api.md §3 and §6. */
export const SIMULATOR_DEFAULTS = {
  port: 9999,
  host: "127.0.0.1",
  username: "admin",
  password: "admin",
  idleTimeoutMs: 15 * 60_000,
  maxLifetimeMs: 12 * 3_600_000,
  maxConcurrent: 8,
} as const;

export function resolveOptions(options: SimulatorOptions): SimulatorSettings {
  const port = options.port ?? SIMULATOR_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port: ${port} is not a whole number between 0 and 65535`);
  }
  const idleTimeoutMs = positive(
    "idleTimeoutMs",
    options.idleTimeoutMs,
    SIMULATOR_DEFAULTS.idleTimeoutMs,
  );
  const maxLifetimeMs = positive(
    "maxLifetimeMs",
    options.maxLifetimeMs,
    SIMULATOR_DEFAULTS.maxLifetimeMs,
  );
  const maxConcurrent = options.maxConcurrent ?? SIMULATOR_DEFAULTS.maxConcurrent;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new RangeError(`maxConcurrent: ${maxConcurrent} is not a whole number of 1 or more`);
  }
  const initialFaults: Partial<Faults> = {};
  if (options.latencyMs !== undefined) initialFaults.latencyMs = options.latencyMs;
  if (options.failRate !== undefined) initialFaults.failRate = options.failRate;
  return {
    port,
    host: options.host ?? SIMULATOR_DEFAULTS.host,
    accounts: [
      fullAccount(
        options.username ?? SIMULATOR_DEFAULTS.username,
        options.password ?? SIMULATOR_DEFAULTS.password,
      ),
      ...(options.accounts ?? []).map(resolveAccount),
    ],
    idleTimeoutMs,
    maxLifetimeMs,
    tls: options.tls ?? false,
    guests: options.guests,
    sources: options.sources ? new Set(options.sources) : undefined,
    maxConcurrent,
    logger: options.logger ?? silentLogger(),
    initialFaults: validateFaults(initialFaults),
  };
}

export interface ApiAccountOptions {
  username: string;
  password: string;
  /** What the account may do, e.g. ["SYSTEM_READ"]; default none. */
  adminActions?: string[];
  /** How token_info names its roles; default ["<username>-role"]. */
  adminRoles?: string[];
}

const ADMIN_ACTION = /^[A-Z][A-Z0-9_]*_(CREATE|READ|UPDATE|DELETE)[A-Z_]*$/;

/** Checks an extra account; throws a RangeError naming the field. */
export function resolveAccount(account: ApiAccountOptions): ApiAccount {
  const { username, password, adminActions = [], adminRoles } = account;
  if (typeof username !== "string" || username === "") {
    throw new RangeError("account username: must be a non-empty string");
  }
  if (typeof password !== "string" || password === "") {
    throw new RangeError(`account ${username}: password must be a non-empty string`);
  }
  for (const action of adminActions) {
    if (typeof action !== "string" || !ADMIN_ACTION.test(action)) {
      throw new RangeError(
        `account ${username}: ${JSON.stringify(action)} is not an admin action such as SYSTEM_READ`,
      );
    }
  }
  return {
    username,
    password,
    adminActions: [...adminActions],
    adminRoles: adminRoles ?? [`${username}-role`],
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen <= 0) {
    throw new RangeError(`${name}: ${chosen} is not a positive number of milliseconds`);
  }
  return chosen;
}
