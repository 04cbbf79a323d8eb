import { formatDuration } from "../config/duration";
import { forTerminal } from "../logging/terminal-text";
import type { FleetPauseStatus } from "../worker/fleet-pause-record";

/**
 * The line `status` adds while the fleet is paused, e.g.
 * `paused       12 s more: the appliance is throttling (AXELNAC_THROTTLED): it asked for 86400 s; capped at 300 s by THROTTLE_PAUSE_MAX`.
 */
export function describePause(pause: FleetPauseStatus): string {
  const left = `${Math.ceil(pause.remainingMs / 1_000)} s more`;
  // The code is read back from Redis: shown safely all the same.
  const line = `${"paused".padEnd(13)}${left}: ${pauseReason(pause)} (${forTerminal(pause.code)})`;
  return pause.cause === "throttled" ? `${line}: ${asked(pause)}` : line;
}

/** `paused 12 s more: the appliance is unreachable`, for the end of a progress bar. */
export function pauseNote(pause: FleetPauseStatus): string {
  return `paused ${Math.ceil(pause.remainingMs / 1_000)} s more: ${pauseReason(pause)}`;
}

/**
 * Why the fleet is paused, in an operator's words, from the outcome code the workers recorded
 * (README, "Outcomes of a request to AxelNAC"). A code this version does not know (a newer
 * worker's) still reads as an outage.
 */
export function pauseReason(pause: Pick<FleetPauseStatus, "cause" | "code">): string {
  if (pause.cause === "throttled") return "the appliance is throttling";
  return REASONS.get(pause.code) ?? "the appliance is unavailable to every job";
}

const REASONS = new Map<string, string>(
  Object.entries({
    AXELNAC_UNREACHABLE: "the appliance is unreachable",
    AXELNAC_LOGIN_REJECTED: "the API account was rejected (AXELNAC_USERNAME, AXELNAC_PASSWORD)",
    AXELNAC_ACCESS_DENIED: "the API account lacks the rights to send SMS",
    AXELNAC_TLS_UNTRUSTED: "the appliance's certificate is not trusted",
    AXELNAC_ENDPOINT_MISSING: "the appliance has no SMS endpoint",
    AXELNAC_WRONG_SERVICE: "AXELNAC_URL points at another service",
    AXELNAC_UNEXPECTED_RESPONSE: "something other than the AxelNAC API answers",
    AXELNAC_LOGIN_FAILED: "logins to the appliance fail",
    AXELNAC_LOGIN_BACKOFF: "logins to the appliance fail",
  }),
);

function asked(pause: Extract<FleetPauseStatus, { cause: "throttled" }>): string {
  const wanted = `it asked for ${formatDuration(pause.retryAfterMs, "seconds")}`;
  return pause.cappedAtMs === undefined
    ? wanted
    : `${wanted}; capped at ${formatDuration(pause.cappedAtMs, "seconds")} by THROTTLE_PAUSE_MAX`;
}
