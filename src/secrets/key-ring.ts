import { inspect } from "node:util";

/** A key id goes into every ciphertext (`enc:v1:<id>:…`): no colon, nothing to escape. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** AES-256 takes exactly 32 bytes of key. */
export const KEY_BYTES = 32;

/** Raised for a malformed ring; the message names the entry by position and id, never its key. */
export class KeyRingError extends Error {
  override name = "KeyRingError";
}

/**
 * The encryption keys of the fleet: the first (active) one encrypts, every one decrypts. A key id
 * travels with each ciphertext, so a worker can tell a key it lacks from a ciphertext that does not
 * authenticate. Keys live in private fields and never print, whatever logs or inspects a ring.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly activeId: string;

  private constructor(keys: ReadonlyMap<string, Buffer>, activeId: string) {
    this.#keys = keys;
    this.activeId = activeId;
  }

  /** Every id, the active one first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The key of `id`, or undefined when this ring does not hold it. */
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  get activeKey(): Buffer {
    return this.#keys.get(this.activeId) as Buffer;
  }

  /**
   * Reads `ID:BASE64` entries separated by commas (or line breaks, as a secrets file may hold them).
   * Throws `KeyRingError` naming the first bad entry.
   */
  static parse(text: string): KeyRing {
    const entries = text.trim().split(/\s*(?:,|\r?\n)\s*/);
    if (entries.every((entry) => entry === "")) throw new KeyRingError("holds no key");
    const keys = new Map<string, Buffer>();
    entries.forEach((entry, index) => {
      const where = `entry ${index + 1}`;
      if (entry === "") throw new KeyRingError(`${where} is empty (a stray comma?)`);
      const colon = entry.indexOf(":");
      if (colon < 0) throw new KeyRingError(`${where} is not ID:BASE64 (no colon)`);
      const id = entry.slice(0, colon);
      if (!KEY_ID_PATTERN.test(id)) {
        throw new KeyRingError(
          `${where}: the id must be 1 to 64 letters, digits, dots, dashes or underscores`,
        );
      }
      if (keys.has(id)) throw new KeyRingError(`${where} (${id}): the id appears twice`);
      keys.set(id, decodeKey(entry.slice(colon + 1), `${where} (${id})`));
    });
    return new KeyRing(keys, entries[0]?.split(":")[0] as string);
  }

  /** What a log line or a debugger shows: the ids, never a key. */
  toJSON(): { activeId: string; ids: string[] } {
    return { activeId: this.activeId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `KeyRing { active: ${this.activeId}, ids: ${this.ids.join(", ")} }`;
  }
}

/** Standard or URL-safe base64, padded or not; anything else, or a length other than 32, is refused. */
function decodeKey(text: string, where: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new KeyRingError(`${where}: the key is not base64`);
  }
  const key = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key.length !== KEY_BYTES) {
    throw new KeyRingError(`${where}: the key is ${key.length} bytes; it must be ${KEY_BYTES}`);
  }
  return key;
}
