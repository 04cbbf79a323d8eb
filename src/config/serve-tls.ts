import { readFileSync } from "node:fs";
import type { ServeSettings } from "./config";
import type { RawSettings } from "./schema";

/**
 * `serve`'s certificate and key, read at start: both files or neither (one alone would quietly
 * serve plain HTTP where HTTPS was meant). Problems name the variable, never the key's text.
 */
export function readServeTls(s: RawSettings, problems: string[]): ServeSettings["tls"] {
  const certFile = s.SERVE_TLS_CERT_FILE;
  const keyFile = s.SERVE_TLS_KEY_FILE;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const [set, unset] =
      certFile === undefined
        ? ["SERVE_TLS_KEY_FILE", "SERVE_TLS_CERT_FILE"]
        : ["SERVE_TLS_CERT_FILE", "SERVE_TLS_KEY_FILE"];
    problems.push(`  ${unset}: required when ${set} is set (HTTPS needs both)`);
    return undefined;
  }
  const cert = readPem("SERVE_TLS_CERT_FILE", certFile, "CERTIFICATE", problems);
  const key = readPem("SERVE_TLS_KEY_FILE", keyFile, "PRIVATE KEY", problems);
  return cert === undefined || key === undefined ? undefined : { cert, key, certFile };
}

/** A PEM file's text, or a problem naming the variable when it cannot be read or holds no `kind`. */
function readPem(
  variable: string,
  file: string,
  kind: string,
  problems: string[],
): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    problems.push(`  ${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
  // "PRIVATE KEY" also matches "RSA PRIVATE KEY" and "EC PRIVATE KEY" headers.
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    problems.push(`  ${variable}: ${file} holds no PEM ${kind.toLowerCase()}`);
    return undefined;
  }
  return text;
}
