import type { ApiKeyInfo, CreatedApiKey } from "../api-keys/api-key-store";
import { forTerminal } from "../logging/terminal-text";

/** What `api-keys create` prints, once: the key, and its webhook's signing secret. */
export function describeCreatedKey(key: CreatedApiKey): string {
  const lines = [
    `created API key ${key.id} "${forTerminal(key.name)}", scopes ${key.scopes.join(" ")}`,
    `key: ${key.key}`,
  ];
  if (key.webhookUrl !== undefined && key.webhookSecret !== undefined) {
    lines.push(`webhook: ${forTerminal(key.webhookUrl)}`);
    lines.push(`webhook signing secret: ${key.webhookSecret}`);
  }
  lines.push(shownOnce(key));
  return `${lines.join("\n")}\n`;
}

/** The warning that goes with a new key: only a hash of it is kept. */
export function shownOnce(key: CreatedApiKey): string {
  const what = key.webhookSecret === undefined ? "this key" : "this key and signing secret";
  return `Store ${what} now: ${key.webhookSecret === undefined ? "it" : "they"} will not be shown again (the courier keeps only a hash of the key).`;
}

/** The fields of a key a script reads from `--json`: never the key, its hash or its webhook secret. */
export function keyAsJson(key: ApiKeyInfo) {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    webhookUrl: key.webhookUrl ?? null,
  };
}

/**
 * `api-keys list` for people:
 *
 *   id                name       scopes                            created                revoked  webhook
 *   3f9c0a…           portal     deliveries:write deliveries:read  2026-05-01 10:00 UTC   -        https://…
 */
export function describeKeys(keys: readonly ApiKeyInfo[]): string {
  if (keys.length === 0) return "no API keys: `axelnac-courier api-keys create` makes one\n";
  const rows = keys.map((key) => [
    key.id,
    forTerminal(key.name, 40),
    key.scopes.join(" "),
    when(key.createdAt),
    key.revokedAt ? when(key.revokedAt) : "-",
    key.webhookUrl ? forTerminal(key.webhookUrl, 80) : "-",
  ]);
  const header = ["id", "name", "scopes", "created", "revoked", "webhook"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
