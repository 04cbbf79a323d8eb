import { createPrivateKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config";
import { REPO_ROOT } from "../support/processes";
import { createRedisTlsMaterial, type RedisTlsMaterial } from "../support/redis-tls";

const PASSWORD = "redis-acl-pw-5b0c";
const TLS_URL = `rediss://courier:${PASSWORD}@redis.example:6380/0`;

/** The message of the ConfigError `env` raises; fails the test when it loads. */
function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    // The URL's password never reaches a message, whatever the problem.
    expect(message).not.toContain(PASSWORD);
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig: Redis over TLS", () => {
  let pems: RedisTlsMaterial;
  let notPem: string;
  beforeAll(async () => {
    pems = await createRedisTlsMaterial();
    notPem = join(REPO_ROOT, "package.json");
  });
  afterAll(() => pems.remove());

  it("takes the user and password from the URL and trusts Node's CAs when no file is given", () => {
    expect(loadConfig({ REDIS_URL: TLS_URL }).redis).toEqual({ url: TLS_URL });
  });

  it("reads the CA file, and the client certificate and key, as PEM text", () => {
    const config = loadConfig({
      REDIS_URL: TLS_URL,
      REDIS_CA_FILE: pems.files.ca,
      REDIS_CERT_FILE: pems.files.clientCert,
      REDIS_KEY_FILE: pems.files.clientKey,
    });
    expect(config.redis).toEqual({
      url: TLS_URL,
      tls: { ca: pems.ca.cert, cert: pems.client.cert, key: pems.client.key },
    });
  });

  it("reads a client key in the older EC (SEC 1) form too", () => {
    const ecForm = createPrivateKey(pems.client.key).export({ type: "sec1", format: "pem" });
    expect(ecForm).toContain("-----BEGIN EC PRIVATE KEY-----");
    const file = `${pems.files.clientKey}.sec1`;
    writeFileSync(file, ecForm);
    const config = loadConfig({
      REDIS_URL: TLS_URL,
      REDIS_CERT_FILE: pems.files.clientCert,
      REDIS_KEY_FILE: file,
    });
    expect(config.redis.tls?.key).toBe(ecForm);
  });

  it("takes a CA file alone, and treats empty values as unset", () => {
    const config = loadConfig({
      REDIS_URL: TLS_URL,
      REDIS_CA_FILE: pems.files.ca,
      REDIS_CERT_FILE: "",
      REDIS_KEY_FILE: "",
    });
    expect(config.redis.tls).toEqual({ ca: pems.ca.cert, cert: undefined, key: undefined });
  });

  it("refuses TLS files with a redis:// URL, naming each file setting", () => {
    const message = problemsOf({
      REDIS_URL: `redis://courier:${PASSWORD}@redis.example:6379`,
      REDIS_CA_FILE: pems.files.ca,
      REDIS_CERT_FILE: pems.files.clientCert,
      REDIS_KEY_FILE: pems.files.clientKey,
    });
    expect(message).toBe(
      "invalid configuration:\n" +
        "  REDIS_CA_FILE: needs a rediss:// REDIS_URL (redis:// is plain TCP)\n" +
        "  REDIS_CERT_FILE: needs a rediss:// REDIS_URL (redis:// is plain TCP)\n" +
        "  REDIS_KEY_FILE: needs a rediss:// REDIS_URL (redis:// is plain TCP)",
    );
    expect(problemsOf({ REDIS_CA_FILE: pems.files.ca })).toMatch(
      /^invalid configuration:\n {2}REDIS_CA_FILE: needs a rediss:\/\/ REDIS_URL/,
    );
  });

  it("wants the client certificate and its key together", () => {
    expect(problemsOf({ REDIS_URL: TLS_URL, REDIS_CERT_FILE: pems.files.clientCert })).toBe(
      "invalid configuration:\n  REDIS_KEY_FILE: required when REDIS_CERT_FILE is set",
    );
    expect(problemsOf({ REDIS_URL: TLS_URL, REDIS_KEY_FILE: pems.files.clientKey })).toBe(
      "invalid configuration:\n  REDIS_CERT_FILE: required when REDIS_KEY_FILE is set",
    );
  });

  it.each(["REDIS_CA_FILE", "REDIS_CERT_FILE", "REDIS_KEY_FILE"])(
    "names %s when its file cannot be read",
    (name) => {
      const files = {
        REDIS_CERT_FILE: pems.files.clientCert,
        REDIS_KEY_FILE: pems.files.clientKey,
        [name]: "/nonexistent/redis.pem",
      };
      expect(problemsOf({ REDIS_URL: TLS_URL, ...files })).toBe(
        `invalid configuration:\n  ${name}: cannot read /nonexistent/redis.pem (ENOENT)`,
      );
    },
  );

  it("names the file that holds no certificate, or no key, without quoting it", () => {
    expect(problemsOf({ REDIS_URL: TLS_URL, REDIS_CA_FILE: notPem })).toBe(
      `invalid configuration:\n  REDIS_CA_FILE: ${notPem} holds no PEM certificate`,
    );
    const keyForCert = problemsOf({
      REDIS_URL: TLS_URL,
      REDIS_CERT_FILE: pems.files.clientKey,
      REDIS_KEY_FILE: pems.files.clientCert,
    });
    expect(keyForCert).toBe(
      "invalid configuration:\n" +
        `  REDIS_CERT_FILE: ${pems.files.clientKey} holds no PEM certificate\n` +
        `  REDIS_KEY_FILE: ${pems.files.clientCert} holds no PEM private key`,
    );
    expect(keyForCert).not.toContain(pems.client.key.split("\n")[1]);
  });

  it("refuses a client certificate with somebody else's key, and quotes neither", () => {
    const otherKey = join(pems.dir, "server-key.pem");
    writeFileSync(otherKey, pems.server.key, { mode: 0o600 });
    const message = problemsOf({
      REDIS_URL: TLS_URL,
      REDIS_CERT_FILE: pems.files.clientCert,
      REDIS_KEY_FILE: otherKey,
    });
    expect(message).toMatch(
      /^invalid configuration:\n {2}REDIS_KEY_FILE: not the key of the certificate in REDIS_CERT_FILE \(.*key values mismatch\)$/,
    );
    expect(message).not.toContain(pems.server.key.split("\n")[1]);
    expect(message).not.toContain(pems.client.cert.split("\n")[1]);
  });
});
