import { writeFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";

/** TLS for a private redis-server: only a TLS port is opened, so nothing can reach it in the clear. */
export interface PrivateRedisTls {
  /** The server's certificate (PEM); it must name 127.0.0.1, the address clients dial. */
  cert: string;
  key: string;
  /** The CA (PEM) that signed the server's certificate, and that client certificates must chain to. */
  ca: string;
  /**
   * Makes a client certificate compulsory (`tls-auth-clients yes`); the server's start-up probe
   * presents this one. Without it a client may present one or not (`optional`).
   */
  requiredClientCertificate?: { cert: string; key: string };
}

/** redis-server's arguments for `tls`, its PEM files written into the server's directory. */
export function tlsArguments(port: number, dir: string, tls: PrivateRedisTls): string[] {
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  return [
    ...["--port", "0", "--tls-port", String(port)],
    ...["--tls-cert-file", file("tls-server.pem", tls.cert)],
    ...["--tls-key-file", file("tls-server-key.pem", tls.key)],
    ...["--tls-ca-cert-file", file("tls-ca.pem", tls.ca)],
    ...["--tls-auth-clients", tls.requiredClientCertificate ? "yes" : "optional"],
  ];
}

/** A socket to the server on loopback: TLS, verifying the server as any client would, or plain TCP. */
export function dial(port: number, tls: PrivateRedisTls | undefined): Socket {
  const host = "127.0.0.1";
  if (!tls) return connectTcp({ port, host });
  return connectTls({ port, host, ca: tls.ca, ...tls.requiredClientCertificate });
}
