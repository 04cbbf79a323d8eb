import { randomBytes } from "node:crypto";
import { KEY_BYTES } from "./key-ring";

/**
 * A new ring entry, `ID:BASE64`: 32 random bytes, and an id that sorts by the day it was made
 * (`k20261202-3fa9c1`), so an operator reading a ring can tell the newer key at a glance.
 */
export function generateKeyEntry(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "");
  const id = `k${day}-${randomBytes(3).toString("hex")}`;
  return `${id}:${randomBytes(KEY_BYTES).toString("base64")}`;
}
