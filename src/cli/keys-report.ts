import type { KeyStatus } from "../key-rotation/key-status";
import type { KeyRotation } from "../key-rotation/rotate-keys";
import { RESTING_STATES, STORED_STATES } from "../key-rotation/stored-jobs";
import { plural } from "../logging/plural";
import { forTerminal } from "../logging/terminal-text";

const number = new Intl.NumberFormat("en-US");

/**
 * `keys status` for people:
 *
 *   key ring    new (active), old
 *   stored jobs      waiting  prioritized  delayed  failed  active   total
 *     new              1,200            0        3       2       0   1,205
 *     plaintext            4            0        0       0       0       4
 *   shared token     new 1
 */
export function describeKeyStatus(status: KeyStatus): string {
  const ring =
    status.ring.length === 0
      ? "none (JOB_ENCRYPTION_KEYS is not set)"
      : status.ring.map((id, i) => (i === 0 ? `${id} (active)` : id)).join(", ");
  const lines = [`key ring     ${ring}`];
  // A key id is read from each job's sealed password, which any producer writes: shown safely.
  const rows = Object.entries(status.jobs).map(
    ([id, counts]) => [forTerminal(id), counts] as const,
  );
  const missing = new Set(status.keysNotInRing.map((id) => forTerminal(id)));
  if (rows.length === 0) {
    lines.push("stored jobs  none");
  } else {
    const columns = [...STORED_STATES, "total"] as const;
    const width = Math.max(9, ...rows.map(([id]) => id.length));
    lines.push(`${"stored jobs".padEnd(width + 2)}${columns.map((c) => c.padStart(12)).join("")}`);
    for (const [id, counts] of rows) {
      const cells = columns.map((c) => number.format(counts[c]).padStart(12)).join("");
      lines.push(`  ${id.padEnd(width)}${cells}${missing.has(id) ? "  (not in the ring)" : ""}`);
    }
  }
  const tokens = Object.entries(status.tokens).map(([id, n]) => `${forTerminal(id)} ${n}`);
  lines.push(`shared token ${tokens.length > 0 ? tokens.join(", ") : "none stored"}`);
  // Read in no particular order (a Redis set): shown by key id.
  const secrets = Object.entries(status.webhookSecrets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, n]) => `${forTerminal(id)} ${n}`);
  if (secrets.length > 0) lines.push(`webhook secrets ${secrets.join(", ")}`);
  if (status.keysNotInRing.length > 0) {
    lines.push(
      `warning: secrets are stored under ${[...missing].join(", ")}, which the ring lacks: add the key back, or those jobs cannot be delivered`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** `keys rotate` for people: what was re-sealed per state, and what could not be. */
export function describeRotation(rotation: KeyRotation): string {
  const { jobs, token } = rotation;
  const lines = [`re-sealed under ${rotation.activeKey}:`];
  for (const state of RESTING_STATES) {
    lines.push(`  ${state.padEnd(12)}${number.format(jobs.resealed[state]).padStart(8)}`);
  }
  const from = Object.entries(jobs.resealedFrom).map(
    ([id, n]) => `${forTerminal(id)} ${number.format(n)}`,
  );
  if (from.length > 0) lines.push(`  from        ${from.join(", ")}`);
  if (token.discarded > 0)
    lines.push(`  token       discarded (${token.discarded}): the fleet logs in once more`);
  else
    lines.push(
      `  token       ${token.resealed > 0 ? `${token.resealed} re-sealed` : "nothing to re-seal"}`,
    );
  const { webhookSecrets } = rotation;
  if (webhookSecrets.resealed > 0) {
    lines.push(`  webhook secrets ${number.format(webhookSecrets.resealed)} re-sealed`);
  }
  for (const [id, n] of Object.entries(webhookSecrets.keyMissing)) {
    lines.push(
      `not re-sealed: ${plural(n, "webhook secret", "webhook secrets", number.format)} under ${forTerminal(id)}, which JOB_ENCRYPTION_KEYS lacks: add ${forTerminal(id)} to the ring (after the active key) and run again`,
    );
  }
  if (webhookSecrets.unauthentic > 0) {
    lines.push(
      `not re-sealed: ${plural(webhookSecrets.unauthentic, "webhook secret", "webhook secrets", number.format)} whose ciphertext does not authenticate (their webhooks fail with WEBHOOK_SECRET_UNREADABLE)`,
    );
  }
  if (jobs.changedMeanwhile > 0) {
    lines.push(
      `${plural(jobs.changedMeanwhile, "job", "jobs", number.format)} finished while being re-sealed`,
    );
  }
  for (const [id, n] of Object.entries(jobs.keyMissing)) {
    lines.push(
      `not re-sealed: ${plural(n, "job", "jobs", number.format)} under ${forTerminal(id)}, which JOB_ENCRYPTION_KEYS lacks: add ${forTerminal(id)} to the ring (after the active key) and run again`,
    );
  }
  if (jobs.unauthentic > 0) {
    lines.push(
      `not re-sealed: ${plural(jobs.unauthentic, "job", "jobs", number.format)} whose ciphertext does not authenticate (they fail with COURIER_CIPHERTEXT_INVALID)`,
    );
  }
  if (token.unreadable > 0) {
    lines.push(
      `${plural(token.unreadable, "stored token")} could not be opened: replaced at the next login`,
    );
  }
  if (rotation.removedGeneratedDuplicateKeySecret) {
    lines.push(
      "removed the duplicate-key secret generated before the ring: producers derive theirs from it",
    );
  }
  lines.push("active jobs finish under their key; `keys status` shows what is left under each key");
  return `${lines.join("\n")}\n`;
}
