import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logging/logger";
import { FaultsError, validateFaults } from "./faults";
import { isRecord, parseJson, readBody, writeJson } from "./http-io";
import type { ApiAccountOptions } from "./options";
import type { Faults, SentSms, SimulatorStats } from "./types";

/** The simulator operations the control API exposes; the same ones a test calls directly. */
export interface ControlOperations {
  outbox(): SentSms[];
  stats(): SimulatorStats;
  faults(): Faults;
  setFaults(faults: Partial<Faults>): Faults;
  revokeAllTokens(): number;
  /** Adds an API account, or replaces the one of the same name; throws a RangeError naming the field. */
  setAccount(account: ApiAccountOptions): { username: string; admin_actions: string[] };
  goDown(ms: number): Promise<void>;
  resetCounters(): void;
  logger: Logger;
}

/** A control request that cannot be obeyed; answered 400 with a message naming the field. */
class ControlInputError extends Error {}

const MAX_DOWN_SECONDS = 24 * 3600;

type ControlAction = (ops: ControlOperations, body: unknown, res: ServerResponse) => unknown;

const ACTIONS: Record<string, ControlAction> = {
  "GET /_simulator/outbox": (ops) => ({ items: ops.outbox() }),
  "GET /_simulator/stats": (ops) => ops.stats(),
  "GET /_simulator/faults": (ops) => ops.faults(),
  "POST /_simulator/faults": (ops, body) => {
    try {
      return ops.setFaults(validateFaults(body));
    } catch (error) {
      if (error instanceof FaultsError) throw new ControlInputError(error.message);
      throw error;
    }
  },
  "POST /_simulator/revoke-tokens": (ops) => ({ revoked: ops.revokeAllTokens() }),
  "POST /_simulator/accounts": (ops, body) => {
    const { username, password, admin_actions } = isRecord(body) ? body : {};
    if (admin_actions !== undefined && !Array.isArray(admin_actions)) {
      throw new ControlInputError("'admin_actions' must be an array of admin actions");
    }
    try {
      return ops.setAccount({
        username: username as string,
        password: password as string,
        adminActions: (admin_actions ?? []) as string[],
      });
    } catch (error) {
      if (error instanceof RangeError) throw new ControlInputError(error.message);
      throw error;
    }
  },
  "POST /_simulator/down": (ops, body, res) => {
    const seconds = isRecord(body) ? body.seconds : undefined;
    if (typeof seconds !== "number" || !(seconds > 0) || seconds > MAX_DOWN_SECONDS) {
      throw new ControlInputError(
        `'seconds' must be a number above 0 and at most ${MAX_DOWN_SECONDS}`,
      );
    }
    // Go down only once this answer is on its way, or the caller would never see it.
    res.once("finish", () => {
      ops.goDown(seconds * 1000).catch((error: unknown) => {
        ops.logger.error({ err: error }, "simulator: going down failed");
      });
    });
    return { down: true, seconds };
  },
  "POST /_simulator/reset": (ops) => {
    ops.resetCounters();
    return { reset: true };
  },
};

/** The control API: JSON in and out, outside the gate, faults and authentication. */
export async function serveControlRequest(
  ops: ControlOperations,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? "GET";
  const action = ACTIONS[`${method} ${url.pathname}`];
  if (!action) {
    const known = Object.keys(ACTIONS).some((key) => key.endsWith(` ${url.pathname}`));
    const status = known ? 405 : 404;
    const message = known
      ? `Method ${method} not allowed on ${url.pathname}`
      : `Unknown path ${url.pathname}`;
    writeJson(res, status, { message, status });
    return;
  }
  try {
    const text = method === "POST" ? await readBody(req) : "";
    let body: unknown = {};
    if (text.trim() !== "") {
      const parsed = parseJson(text);
      if (!parsed.ok) throw new ControlInputError("the request body is not valid JSON");
      body = parsed.value;
    }
    writeJson(res, 200, action(ops, body, res));
  } catch (error) {
    if (error instanceof ControlInputError) {
      writeJson(res, 400, { message: error.message, status: 400 });
      return;
    }
    if (res.destroyed) return;
    ops.logger.error({ err: error, path: url.pathname }, "simulator: control request failed");
    writeJson(res, 500, { message: "Simulator internal error", status: 500 });
  }
}
