import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import type { RawSettings } from "./schema";

/** The Redis every courier connection goes to, and how it proves itself (and the courier) over TLS. */
export interface RedisTarget {
  /** REDIS_URL: `redis://` or `rediss://`, with the ACL user and password when Redis wants them. */
  url: string;
  /**
   * PEM texts for a `rediss://` URL. Absent, a `rediss://` connection trusts Node's own CA list;
   * verification is never turned off.
   */
  tls?: RedisTls;
}

export interface RedisTls {
  /** REDIS_CA_FILE: the CA that signed Redis' certificate (it replaces Node's CA list). */
  ca?: string;
  /** REDIS_CERT_FILE and REDIS_KEY_FILE: the courier's client certificate, for a Redis that asks for one. */
  cert?: string;
  key?: string;
}

const TLS_FILE_SETTINGS = ["REDIS_CA_FILE", "REDIS_CERT_FILE", "REDIS_KEY_FILE"] as const;

/**
 * REDIS_URL and the TLS files that go with it. Each problem is pushed as one line naming its
 * variable; no line quotes the URL (it may hold a password) nor a file's content.
 */
export function readRedisTarget(s: RawSettings, problems: string[]): RedisTarget {
  const given = TLS_FILE_SETTINGS.filter((name) => s[name] !== undefined);
  if (given.length === 0) return { url: s.REDIS_URL };
  if (new URL(s.REDIS_URL).protocol !== "rediss:") {
    // ioredis would honour the files and speak TLS to a redis:// URL: a URL that says plain TCP
    // while the connection is not is a misunderstanding worth stopping for.
    for (const name of given) {
      problems.push(`  ${name}: needs a rediss:// REDIS_URL (redis:// is plain TCP)`);
    }
    return { url: s.REDIS_URL };
  }
  if (s.REDIS_CERT_FILE !== undefined && s.REDIS_KEY_FILE === undefined) {
    problems.push("  REDIS_KEY_FILE: required when REDIS_CERT_FILE is set");
  }
  if (s.REDIS_KEY_FILE !== undefined && s.REDIS_CERT_FILE === undefined) {
    problems.push("  REDIS_CERT_FILE: required when REDIS_KEY_FILE is set");
  }
  const ca = readPem("REDIS_CA_FILE", s.REDIS_CA_FILE, CERTIFICATE, problems);
  const cert = readPem("REDIS_CERT_FILE", s.REDIS_CERT_FILE, CERTIFICATE, problems);
  const key = readPem("REDIS_KEY_FILE", s.REDIS_KEY_FILE, PRIVATE_KEY, problems);
  if (cert !== undefined && key !== undefined) checkPair(cert, key, problems);
  return { url: s.REDIS_URL, tls: { ca, cert, key } };
}

interface PemKind {
  marker: RegExp;
  name: string;
}
const CERTIFICATE: PemKind = { marker: /-----BEGIN CERTIFICATE-----/, name: "PEM certificate" };
const PRIVATE_KEY: PemKind = {
  // PKCS#8 (`PRIVATE KEY`) or the older RSA and EC forms; an encrypted key is refused by checkPair.
  marker: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
  name: "PEM private key",
};

function readPem(
  name: string,
  path: string | undefined,
  kind: PemKind,
  problems: string[],
): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    problems.push(`  ${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
  if (!kind.marker.test(text)) {
    problems.push(`  ${name}: ${path} holds no ${kind.name}`);
    return undefined;
  }
  return text;
}

/**
 * A certificate with somebody else's key fails every TLS handshake with an error that names
 * neither file: say so at start instead. OpenSSL's reason quotes no key material.
 */
function checkPair(cert: string, key: string, problems: string[]): void {
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    problems.push(
      `  REDIS_KEY_FILE: not the key of the certificate in REDIS_CERT_FILE (${(error as Error).message})`,
    );
  }
}
