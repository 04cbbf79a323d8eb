import type { Faults } from "./types";

export const DEFAULT_FAULTS: Readonly<Faults> = {
  latencyMs: 0,
  failRate: 0,
  unavailableRate: 0,
  proxyErrorRate: 0,
  gatewayTimeoutRate: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  resetRate: 0,
  hangRate: 0,
  trickleRate: 0,
  trickleIntervalMs: 1_000,
  bulkImportItemMs: 0,
};

const RATE_FIELDS = [
  "failRate",
  "unavailableRate",
  "proxyErrorRate",
  "gatewayTimeoutRate",
  "throttleRate",
  "resetRate",
  "hangRate",
  "trickleRate",
];

/** A fault setting that is not a number of the right kind; `field` names it. */
export class FaultsError extends Error {
  override name = "FaultsError";
  readonly code = "SIMULATOR_FAULTS_INVALID";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a partial `Faults` from a test or the control API; throws `FaultsError` naming the field. */
export function validateFaults(input: unknown): Partial<Faults> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new FaultsError("(body)", "faults must be a JSON object");
  }
  const checked: Record<string, number> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!(field in DEFAULT_FAULTS)) {
      throw new FaultsError(
        field,
        `unknown field '${field}': use ${Object.keys(DEFAULT_FAULTS).join(", ")}`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new FaultsError(field, `'${field}' must be a number`);
    }
    if (RATE_FIELDS.includes(field) && (value < 0 || value > 1)) {
      throw new FaultsError(field, `'${field}' must be between 0 and 1`);
    }
    if ((field === "latencyMs" || field === "bulkImportItemMs") && value < 0) {
      throw new FaultsError(field, `'${field}' must be 0 or more`);
    }
    if (field === "trickleIntervalMs" && !(value >= 1)) {
      throw new FaultsError(field, `'${field}' must be 1 or more`);
    }
    if (field === "retryAfterSeconds" && (!Number.isInteger(value) || value < 0)) {
      throw new FaultsError(field, `'${field}' must be a whole number of 0 or more`);
    }
    checked[field] = value;
  }
  return checked as Partial<Faults>;
}

export type SendFault =
  | "reset"
  | "hang"
  | "unavailable"
  | "proxyError"
  | "throttle"
  | "fail"
  | "gatewayTimeout"
  | "trickle";

/**
 * Picks the fault, if any, for one send. Each rate is drawn on its own, in the order a request
 * meets them: the connection, then the proxy, then the provider behind the appliance, then the
 * way back of an answer.
 */
export function drawSendFault(
  faults: Faults,
  random: () => number = Math.random,
): SendFault | undefined {
  if (random() < faults.resetRate) return "reset";
  if (random() < faults.hangRate) return "hang";
  if (random() < faults.unavailableRate) return "unavailable";
  if (random() < faults.proxyErrorRate) return "proxyError";
  if (random() < faults.throttleRate) return "throttle";
  if (random() < faults.failRate) return "fail";
  if (random() < faults.gatewayTimeoutRate) return "gatewayTimeout";
  if (random() < faults.trickleRate) return "trickle";
  return undefined;
}
