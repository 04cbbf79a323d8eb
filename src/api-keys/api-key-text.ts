/**
 * An API key as a client sends it: `<id>.<secret>`, the id 16 hexadecimal digits (it finds the
 * record), the secret 32 random bytes in base64url (checked against the record's hash).
 */
const API_KEY = /^([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export function parseApiKey(text: string): { id: string; secret: string } | undefined {
  const match = API_KEY.exec(text);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}
