/**
 * The appliance's rules for a guest's fields, as PacketFence's users bulk import checks an item
 * (lib/pf/UnifiedApi/Controller/Users.pm, `import_item_check_for_errors`; docs/axelnac-api.md §9).
 * One home for the courier, which refuses a row before sending it, and the simulator, which
 * answers as the appliance does.
 */

/**
 * PacketFence's e-mail pattern, kept as it is: strict ASCII, no `+` in the local part, a top-level
 * domain of 2 to 6 letters. Its `[A-z]` also admits the six characters between Z and a.
 */
export const GUEST_EMAIL_PATTERN = /^[A-z0-9_.-]+@[A-z0-9_-]+(\.[A-z0-9_-]+)*\.[A-z]{2,6}$/;

/** The pids of PacketFence's built-in users (lib/pf/constants.pm), which bulk import refuses. */
export const BUILT_IN_PIDS: readonly string[] = ["default", "admin"];

/**
 * Whether a pid is a built-in user's. The appliance compares exactly, but finds pids
 * case-insensitively (§7): "Admin" would update the admin user, so the courier refuses it too.
 */
export function isBuiltInPid(pid: string): boolean {
  return BUILT_IN_PIDS.includes(pid.toLowerCase());
}
