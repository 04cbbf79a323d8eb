import { createHash } from "node:crypto";

/** A guest as the appliance's person table holds it; `telephone` is "" when none was recorded. */
export interface Guest {
  pid: string;
  telephone: string;
}

/**
 * The appliance's guests (PacketFence's person table: pid and telephone). Without a guest list
 * every pid exists and gets a stable fake number, so a load test needs no fixture; with one, an
 * unknown pid is a 404 as on the appliance.
 */
export class GuestDirectory {
  readonly #byKey: ReadonlyMap<string, Guest> | undefined;

  constructor(guests: ReadonlyMap<string, string> | undefined) {
    if (!guests) return;
    const byKey = new Map<string, Guest>();
    for (const [pid, telephone] of guests) byKey.set(personKey(pid), { pid, telephone });
    this.#byKey = byKey;
  }

  /** The guest this pid names, found as the appliance's database finds it (`personKey`). */
  find(pid: string): Guest | undefined {
    if (!this.#byKey) return { pid, telephone: fakeTelephone(personKey(pid)) };
    return this.#byKey.get(personKey(pid));
  }
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
