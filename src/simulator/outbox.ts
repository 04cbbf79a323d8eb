import { createHmac, randomBytes } from "node:crypto";
import type { SentSms } from "./types";

export interface AcceptedSms {
  pid: string;
  password: string;
  telephone: string;
  sourceId: string;
  /** The fingerprint of the password the appliance holds for the guest, when it holds one. */
  storedFingerprint?: string;
}

/**
 * The SMS the simulator "sent". Passwords are kept only as a masked hint and a keyed fingerprint,
 * so a test can check the right password travelled while no plaintext ever sits in memory or in
 * a control API answer.
 */
export class Outbox {
  readonly #key = randomBytes(32);
  #entries: SentSms[] = [];

  fingerprint(password: string): string {
    return createHmac("sha256", this.#key).update(password, "utf8").digest("hex");
  }

  record(sms: AcceptedSms): SentSms {
    const entry: SentSms = {
      pid: sms.pid,
      maskedPassword: maskPassword(sms.password),
      passwordFingerprint: this.fingerprint(sms.password),
      telephone: sms.telephone,
      sourceId: sms.sourceId,
      at: new Date().toISOString(),
    };
    if (sms.storedFingerprint !== undefined) {
      entry.passwordIsCurrent = entry.passwordFingerprint === sms.storedFingerprint;
    }
    this.#entries.push(entry);
    return entry;
  }

  list(): SentSms[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries = [];
  }
}

/** First character and "***"; short passwords show nothing, since one character would be a third. */
export function maskPassword(password: string): string {
  const characters = [...password];
  return characters.length >= 6 ? `${characters[0]}***` : "***";
}
