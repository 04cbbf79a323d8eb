import { formatDuration } from "../config/duration";
import type { FleetPauseStatus } from "../worker/fleet-pause-record";

/**
 * The line `status` adds while the fleet is paused, e.g.
 * `paused       12 s more: AXELNAC_THROTTLED (the appliance asked for 86400 s; capped at 300 s)`.
 */
export function describePause(pause: FleetPauseStatus): string {
  const left = `${Math.ceil(pause.remainingMs / 1_000)} s more`;
  return `${"paused".padEnd(13)}${left}: ${pause.code} (${why(pause)})`;
}

function why(pause: FleetPauseStatus): string {
  if (pause.cause === "unavailable") return "AxelNAC unavailable to every job";
  const asked = `the appliance asked for ${formatDuration(pause.retryAfterMs, "seconds")}`;
  return pause.cappedAtMs === undefined
    ? asked
    : `${asked}; capped at ${formatDuration(pause.cappedAtMs, "seconds")} by THROTTLE_PAUSE_MAX`;
}
