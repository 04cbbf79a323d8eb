import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
  /** A file holding `cert`, for clients that take a CA file (AXELNAC_CA_FILE). */
  caFile: string;
  /** Deletes the CA file's directory. */
  remove(): Promise<void>;
}

const VALIDITY_DAYS = 30;

/**
 * A fresh self-signed certificate for the loopback names, as the appliance self-signs its own at
 * install: clients must be given it as their CA. EC P-256 keeps generation to a few milliseconds.
 */
export async function createTlsMaterial(): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 86_400_000);
  const pems = await generate([{ name: "commonName", value: "AxelNAC simulator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), "axelnac-simulator-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, pems.cert, { mode: 0o644 });
  return {
    key: pems.private,
    cert: pems.cert,
    caFile,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
