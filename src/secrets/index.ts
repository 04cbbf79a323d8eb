export { deriveSecret } from "./derived-secret";
export { generateKeyEntry } from "./key-entry";
export { KeyRing, KeyRingError } from "./key-ring";
export { isSealed, type Opened, open, SEALED_PREFIX, seal, sealedKeyId } from "./sealed-text";
