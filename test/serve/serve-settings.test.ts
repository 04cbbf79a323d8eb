import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseByteSize } from "../../src/config/byte-size";
import { ConfigError, loadConfig } from "../../src/config/config";

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the configuration loaded");
}

describe("serve's settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "serve-settings-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const notPem = join(dir, "notes.txt");
  writeFileSync(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  writeFileSync(key, "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n");
  writeFileSync(notPem, "hello\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads both TLS files into the configuration", () => {
    const { tls } = loadConfig({ SERVE_TLS_CERT_FILE: cert, SERVE_TLS_KEY_FILE: key }).serve;
    expect(tls).toEqual({
      cert: expect.stringContaining("BEGIN CERTIFICATE"),
      key: expect.stringContaining("PRIVATE KEY"),
      certFile: cert,
    });
  });

  it("refuses one TLS file without the other, naming the missing one", () => {
    expect(problemsOf({ SERVE_TLS_CERT_FILE: cert })).toMatch(
      /SERVE_TLS_KEY_FILE: required when SERVE_TLS_CERT_FILE is set \(HTTPS needs both\)/,
    );
    expect(problemsOf({ SERVE_TLS_KEY_FILE: key })).toMatch(
      /SERVE_TLS_CERT_FILE: required when SERVE_TLS_KEY_FILE is set/,
    );
  });

  it("refuses a file it cannot read, or one holding no PEM, naming the variable but never the key", () => {
    expect(
      problemsOf({ SERVE_TLS_CERT_FILE: join(dir, "missing.pem"), SERVE_TLS_KEY_FILE: key }),
    ).toMatch(/SERVE_TLS_CERT_FILE: cannot read .*missing\.pem \(ENOENT\)/);
    const message = problemsOf({ SERVE_TLS_CERT_FILE: key, SERVE_TLS_KEY_FILE: notPem });
    expect(message).toMatch(/SERVE_TLS_CERT_FILE: .*key\.pem holds no PEM certificate/);
    expect(message).toMatch(/SERVE_TLS_KEY_FILE: .*notes\.txt holds no PEM private key/);
    expect(message).not.toContain("MHcC");
  });

  it.each([
    ["0", 0],
    ["8443", 8443],
  ])("takes SERVE_PORT=%s", (text, port) => {
    expect(loadConfig({ SERVE_PORT: text }).serve.port).toBe(port);
  });

  it.each(["65536", "-1", "80.5", "http", ""])("refuses SERVE_PORT=%j", (text) => {
    expect(problemsOf({ SERVE_PORT: text })).toMatch(
      /SERVE_PORT: ".*" is not a port: use 0 to 65535/,
    );
  });

  it.each([
    ["65536", 65_536],
    ["512KiB", 524_288],
    ["512k", 524_288],
    ["1MiB", 1_048_576],
    ["2mb", 2_097_152],
    ["100b", 100],
  ])("reads the size %j as %d bytes", (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(["0", "1.5MiB", "1GiB", "lots", "-5"])("refuses the size %j", (text) => {
    expect(() => parseByteSize(text)).toThrow(`"${text}" is not a size`);
    expect(problemsOf({ SERVE_BODY_LIMIT: text })).toMatch(/SERVE_BODY_LIMIT: /);
  });
});
