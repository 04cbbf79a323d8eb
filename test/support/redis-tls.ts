import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/** PEM texts of a certificate and its key. */
export interface Pem {
  cert: string;
  key: string;
}

/** A private CA, a certificate it signed for Redis on loopback, and one for the courier as client. */
export interface RedisTlsMaterial {
  ca: Pem;
  server: Pem;
  client: Pem;
  /** The directory of the files below, deleted by `remove`. */
  dir: string;
  /** The same as files, for REDIS_CA_FILE, REDIS_CERT_FILE and REDIS_KEY_FILE. */
  files: { ca: string; clientCert: string; clientKey: string };
  /** Deletes the files. */
  remove(): void;
}

const VALIDITY_MS = 7 * 86_400_000;

/**
 * Fresh certificates, as an operator's own CA would issue them: the server's names 127.0.0.1, so
 * the courier verifies it as it would verify a real Redis host. EC P-256 keeps generation quick.
 */
export async function createRedisTlsMaterial(): Promise<RedisTlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_MS);
  const common = {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
  } as const;
  const caPems = await generate([{ name: "commonName", value: "axelnac-courier test CA" }], {
    ...common,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const ca = { cert: caPems.cert, key: caPems.private };
  const serverPems = await generate([{ name: "commonName", value: "redis test server" }], {
    ...common,
    ca,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
  const clientPems = await generate([{ name: "commonName", value: "axelnac-courier" }], {
    ...common,
    ca,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "courier-redis-tls-"));
  const files = {
    ca: join(dir, "ca.pem"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client-key.pem"),
  };
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.clientCert, clientPems.cert);
  writeFileSync(files.clientKey, clientPems.private, { mode: 0o600 });
  return {
    ca,
    server: { cert: serverPems.cert, key: serverPems.private },
    client: { cert: clientPems.cert, key: clientPems.private },
    dir,
    files,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
