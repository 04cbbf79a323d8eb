import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { AccountDirectory } from "./accounts";
import type { ApiContext } from "./api-context";
import { serveApiRequest } from "./api-pipeline";
import { type ControlOperations, serveControlRequest } from "./control-api";
import { DEFAULT_FAULTS, validateFaults } from "./faults";
import { ConcurrencyGate } from "./gate";
import { GuestDirectory } from "./guest-directory";
import { writeJson } from "./http-io";
import { ServerLifecycle } from "./lifecycle";
import { resolveAccount, resolveOptions, type SimulatorOptions } from "./options";
import { Outbox } from "./outbox";
import { SessionTable } from "./sessions";
import { StatsRecorder } from "./stats";
import { createTlsMaterial } from "./tls";
import type { Faults, Simulator } from "./types";

const CONTROL_PREFIX = "/_simulator/";

/** Starts a simulated AxelNAC appliance; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const settings = resolveOptions(options);
  const { logger } = settings;
  const stats = new StatsRecorder();
  const gate = new ConcurrencyGate(settings.maxConcurrent, (serving) => stats.serving(serving));
  const tokens = new SessionTable(settings);
  const outbox = new Outbox();
  let faults: Faults = { ...DEFAULT_FAULTS, ...settings.initialFaults };

  const accounts = new AccountDirectory(settings.accounts);
  const guests = new GuestDirectory(settings.guests);
  const api: ApiContext = {
    accounts,
    tokens,
    guests,
    sources: settings.sources,
    outbox,
    stats,
    faults: () => faults,
    random: Math.random,
    logger,
  };

  const tls = settings.tls ? await createTlsMaterial() : undefined;
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }) : createHttpServer();
  const lifecycle = new ServerLifecycle(server, settings.host, settings.port, logger);

  const control: ControlOperations = {
    outbox: () => outbox.list(),
    stats: () => stats.snapshot(),
    faults: () => ({ ...faults }),
    setFaults: (change) => {
      faults = { ...faults, ...validateFaults(change) };
      logger.info({ faults }, "simulator: faults set");
      return { ...faults };
    },
    revokeAllTokens: () => tokens.revokeAll(),
    setAccount: (options) => {
      const account = resolveAccount(options);
      accounts.set(account);
      logger.info({ username: account.username }, "simulator: account set");
      return { username: account.username, admin_actions: [...account.adminActions] };
    },
    goDown: (ms) => lifecycle.goDown(ms),
    resetCounters: () => {
      stats.reset();
      outbox.clear();
    },
    logger,
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req.url);
    if (!url) {
      writeJson(res, 400, { message: "Malformed request target", status: 400 });
      return;
    }
    const served = url.pathname.startsWith(CONTROL_PREFIX)
      ? serveControlRequest(control, req, res, url)
      : serveApiRequest(api, gate, req, res, url);
    served.catch((error: unknown) => {
      logger.error({ err: error, path: url.pathname }, "simulator: request failed");
      res.destroy();
    });
  });

  try {
    await lifecycle.listen();
  } catch (error) {
    await tls?.remove();
    throw error;
  }
  const url = `${tls ? "https" : "http"}://${urlHost(settings.host)}:${lifecycle.port}`;
  logger.info({ url, tls: Boolean(tls) }, "simulator: listening");

  return {
    url,
    caFile: tls?.caFile,
    caPem: tls?.cert,
    stats: control.stats,
    outbox: control.outbox,
    guest: (pid) => {
      const found = guests.find(pid);
      return found && { ...found, ...(found.password ? { password: { ...found.password } } : {}) };
    },
    fingerprint: (password) => outbox.fingerprint(password),
    setFaults: (change) => {
      control.setFaults(change);
    },
    revokeAllTokens: () => {
      control.revokeAllTokens();
    },
    setAccount: (account) => {
      control.setAccount(account);
    },
    goDown: control.goDown,
    resetCounters: control.resetCounters,
    close: async () => {
      await lifecycle.close();
      await tls?.remove();
    },
  };
}

/** The request target as a URL; undefined for a target no URL parser accepts. */
function requestUrl(target = "/"): URL | undefined {
  try {
    return new URL(target, "http://simulator");
  } catch {
    return undefined;
  }
}

/** A host as it goes in a URL: a wildcard address becomes loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
