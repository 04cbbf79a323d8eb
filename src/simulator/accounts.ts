import { createHash, timingSafeEqual } from "node:crypto";
import { ALL_ADMIN_ACTIONS } from "./admin-actions";

/** An API account of the simulated appliance, and what its admin roles allow. */
export interface ApiAccount {
  username: string;
  password: string;
  /** PacketFence's admin role names, as token_info reports them (e.g. ["ALL"]). */
  adminRoles: readonly string[];
  /** What the roles allow, `<BASE>_<ACTION>` (e.g. SYSTEM_CREATE): checked on every request. */
  adminActions: readonly string[];
}

/** The account every simulator has: the API user of the options, allowed everything. */
export function fullAccount(username: string, password: string): ApiAccount {
  return { username, password, adminRoles: ["ALL"], adminActions: ALL_ADMIN_ACTIONS };
}

/** The accounts the appliance knows; a later account of the same name replaces the earlier. */
export class AccountDirectory {
  readonly #accounts = new Map<string, ApiAccount>();

  constructor(accounts: readonly ApiAccount[]) {
    for (const account of accounts) this.set(account);
  }

  set(account: ApiAccount): void {
    this.#accounts.set(account.username, account);
  }

  /** The account these credentials open, compared in constant time; undefined when none. */
  authenticate(username: string, password: string): ApiAccount | undefined {
    const account = this.#accounts.get(username);
    // Compare against something even for an unknown name, so timing does not tell names apart.
    const matches = sameSecret(password, account?.password ?? "");
    return account && matches ? account : undefined;
  }

  find(username: string): ApiAccount | undefined {
    return this.#accounts.get(username);
  }
}

/** Compares digests in constant time, so answer timing says nothing about the password. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
