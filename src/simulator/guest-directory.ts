import { createHash } from "node:crypto";

/**
 * Where the appliance finds a guest's telephone (PacketFence's person `telephone` field).
 * Without a guest list every pid exists and gets a stable fake number, so a load test needs no
 * fixture; with one, an unknown pid is a 404 as on the appliance.
 */
export class GuestDirectory {
  constructor(private readonly guests: ReadonlyMap<string, string> | undefined) {}

  telephoneOf(pid: string): string | undefined {
    if (!this.guests) return fakeTelephone(pid);
    return this.guests.get(pid);
  }
}

/** "+7999" and seven digits derived from the pid: the same pid always gets the same number. */
export function fakeTelephone(pid: string): string {
  const digest = createHash("sha256").update(pid, "utf8").digest();
  const number = digest.readUInt32BE(0) % 10_000_000;
  return `+7999${String(number).padStart(7, "0")}`;
}
