import { createHash } from "node:crypto";

/** A guest as the appliance's person table holds it; `telephone` is "" when none was recorded. */
export interface Guest {
  pid: string;
  telephone: string;
}

/**
 * A guest created or updated through the API (users/bulk_import): the person's fields and the
 * password entry. The password itself is never kept, only its fingerprint (Outbox.fingerprint).
 */
export interface StoredGuest extends Guest {
  firstname?: string;
  lastname?: string;
  email?: string;
  company?: string;
  notes?: string;
  sponsor?: string;
  password?: {
    fingerprint: string;
    validFrom?: string;
    expiration?: string;
    role?: string;
    accessDuration?: string;
  };
}

/**
 * The appliance's guests (PacketFence's person and password tables). Without a guest list every
 * pid exists and gets a stable fake number, so a load test needs no fixture; with one, an unknown
 * pid is a 404 as on the appliance. Guests created through the API are found in either case.
 */
export class GuestDirectory {
  readonly #stored = new Map<string, StoredGuest>();
  readonly #open: boolean;

  constructor(guests: ReadonlyMap<string, string> | undefined) {
    this.#open = guests === undefined;
    for (const [pid, telephone] of guests ?? [])
      this.#stored.set(personKey(pid), { pid, telephone });
  }

  /** The guest this pid names, found as the appliance's database finds it (`personKey`). */
  find(pid: string): StoredGuest | undefined {
    const stored = this.#stored.get(personKey(pid));
    if (stored || !this.#open) return stored;
    return { pid, telephone: fakeTelephone(personKey(pid)) };
  }

  /** Whether the person table holds this pid: the fake guests of an open directory do not count. */
  has(pid: string): boolean {
    return this.#stored.has(personKey(pid));
  }

  /**
   * Creates the person or updates the fields given (person_modify); the stored pid keeps the
   * case it was created with. Returns the stored guest.
   */
  save(
    pid: string,
    fields: Omit<StoredGuest, "pid" | "telephone" | "password"> & { telephone?: string },
  ): StoredGuest {
    const key = personKey(pid);
    const current = this.#stored.get(key) ?? { pid, telephone: "" };
    const saved: StoredGuest = { ...current, ...definedOnly(fields), pid: current.pid };
    this.#stored.set(key, saved);
    return saved;
  }

  /** Replaces the guest's password entry (pf::password::generate deletes the previous one). */
  setPassword(pid: string, password: NonNullable<StoredGuest["password"]>): void {
    const guest = this.#stored.get(personKey(pid));
    if (guest) guest.password = password;
  }
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * What the appliance's database compares when it looks a pid up: `person.pid` is in a
 * `utf8mb4_general_ci` table (docs/axelnac-api.md §7), a collation that ignores case and, being
 * PAD SPACE, trailing spaces. So "Alice " and "alice" are one guest.
 */
export function personKey(pid: string): string {
  return pid.replace(/ +$/, "").toLowerCase();
}

/** "+7999" and seven digits derived from the pid: the same pid always gets the same number. */
export function fakeTelephone(pid: string): string {
  const digest = createHash("sha256").update(pid, "utf8").digest();
  const number = digest.readUInt32BE(0) % 10_000_000;
  return `+7999${String(number).padStart(7, "0")}`;
}
