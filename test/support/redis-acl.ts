import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Redis, { type RedisOptions } from "ioredis";
import { REPO_ROOT } from "./processes";

/** The password placeholder of the README's ACL line. */
const PLACEHOLDER = ">PASSWORD";

/**
 * The README's `ACL SETUSER` line, as words: the tests create the courier's user with exactly
 * what the README tells operators to type, so the README cannot drift from what was tested.
 */
export function readmeAclLine(): { user: string; words: string[] } {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const lines = readme.split("\n").filter((line) => line.startsWith("ACL SETUSER "));
  if (lines.length !== 1) {
    throw new Error(`README.md should hold one ACL SETUSER line, not ${lines.length}`);
  }
  const words = (lines[0] as string).trim().split(/\s+/).slice(2);
  if (words.filter((word) => word === PLACEHOLDER).length !== 1) {
    throw new Error(`the README's ACL line should set the password once, as ${PLACEHOLDER}`);
  }
  return { user: words[0] as string, words };
}

/** A Redis locked down as production would be: the README's user, and no anonymous access. */
export interface LockedRedis {
  /** The courier's user, from the README, with a fresh password. */
  user: string;
  password: string;
  /** A connection of the test's own, as an administrator. */
  admin: Redis;
}

/**
 * Creates the README's user and an administrator for the test, then turns the `default` user off:
 * a courier connection that forgot to log in as its user fails, instead of quietly running with
 * every right.
 */
export async function lockDown(url: string, options: RedisOptions = {}): Promise<LockedRedis> {
  const setup = new Redis(url, { ...options, lazyConnect: true });
  const adminPassword = `admin-${randomUUID()}`;
  const password = `courier-${randomUUID()}`;
  const { user, words } = readmeAclLine();
  try {
    await setup.connect();
    await setup.call(
      "ACL",
      "SETUSER",
      "test-admin",
      "on",
      `>${adminPassword}`,
      "~*",
      "&*",
      "+@all",
    );
    await setup.call(
      "ACL",
      "SETUSER",
      ...words.map((word) => (word === PLACEHOLDER ? `>${password}` : word)),
    );
    await setup.call("ACL", "SETUSER", "default", "off");
  } finally {
    setup.disconnect();
  }
  const admin = new Redis(url, { ...options, username: "test-admin", password: adminPassword });
  return { user, password, admin };
}

/** `url` with the courier's user and password in it, as REDIS_URL carries them. */
export function withUser(url: string, locked: LockedRedis): string {
  const parsed = new URL(url);
  parsed.username = locked.user;
  parsed.password = locked.password;
  return parsed.toString();
}

/** What the ACL refused since the server started, one `reason context object` line per kind. */
export async function aclDenials(admin: Redis): Promise<string[]> {
  const entries = (await admin.call("ACL", "LOG", "128")) as unknown[][];
  return entries.map((entry) => {
    const fields = new Map<string, unknown>();
    for (let at = 0; at < entry.length; at += 2) fields.set(String(entry[at]), entry[at + 1]);
    return ["reason", "context", "object", "username"].map((name) => fields.get(name)).join(" ");
  });
}
