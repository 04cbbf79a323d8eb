import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config";

const KEY = Buffer.alloc(32, 4).toString("base64");
const OLD_KEY = Buffer.alloc(32, 5).toString("base64");

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("loadConfig accepted the settings");
}

describe("loadConfig: the key ring", () => {
  const dir = mkdtempSync(join(tmpdir(), "axelnac-courier-keys-"));

  it("reads JOB_ENCRYPTION_KEYS, the first entry active", () => {
    const { ring } = loadConfig({ JOB_ENCRYPTION_KEYS: `new:${KEY}, old:${OLD_KEY}` }).encryption;
    expect(ring?.activeId).toBe("new");
    expect(ring?.ids).toEqual(["new", "old"]);
  });

  it("reads the same text from JOB_ENCRYPTION_KEYS_FILE, as a Docker or Kubernetes secret holds it", () => {
    const file = join(dir, "ring");
    writeFileSync(file, `new:${KEY}\nold:${OLD_KEY}\n`);
    const { ring } = loadConfig({ JOB_ENCRYPTION_KEYS_FILE: file }).encryption;
    expect(ring?.ids).toEqual(["new", "old"]);
  });

  it("names the variable and the entry of a malformed ring, never printing a key", () => {
    const short = Buffer.alloc(16, 6).toString("base64");
    const message = problemsOf({ JOB_ENCRYPTION_KEYS: `new:${KEY},old:${short}` });
    expect(message).toContain(
      "JOB_ENCRYPTION_KEYS: entry 2 (old): the key is 16 bytes; it must be 32",
    );
    expect(message).not.toContain(short);
    expect(message).not.toContain(KEY);

    const file = join(dir, "bad-ring");
    writeFileSync(file, `new:${KEY},`);
    expect(problemsOf({ JOB_ENCRYPTION_KEYS_FILE: file })).toContain(
      "JOB_ENCRYPTION_KEYS_FILE: entry 2 is empty (a stray comma?)",
    );
  });

  it("refuses an unreadable key file, and both variables at once", () => {
    expect(problemsOf({ JOB_ENCRYPTION_KEYS_FILE: join(dir, "missing") })).toMatch(
      /JOB_ENCRYPTION_KEYS_FILE: cannot read .*missing \(ENOENT\)/,
    );
    const file = join(dir, "ring");
    expect(
      problemsOf({ JOB_ENCRYPTION_KEYS: `k:${KEY}`, JOB_ENCRYPTION_KEYS_FILE: file }),
    ).toContain("JOB_ENCRYPTION_KEYS_FILE: set either it or JOB_ENCRYPTION_KEYS, not both");
  });

  it("wants a ring when plaintext is refused", () => {
    expect(problemsOf({ JOB_ENCRYPTION_REQUIRED: "true" })).toContain(
      "JOB_ENCRYPTION_REQUIRED: needs a key ring: set JOB_ENCRYPTION_KEYS or JOB_ENCRYPTION_KEYS_FILE",
    );
    // A malformed ring is reported once, for itself.
    const message = problemsOf({ JOB_ENCRYPTION_REQUIRED: "true", JOB_ENCRYPTION_KEYS: "k:short" });
    expect(message).toContain("JOB_ENCRYPTION_KEYS: entry 1 (k): the key is");
    expect(message).not.toContain("JOB_ENCRYPTION_REQUIRED");
    const file = join(dir, "unreadable-ring");
    const fromFile = problemsOf({
      JOB_ENCRYPTION_REQUIRED: "true",
      JOB_ENCRYPTION_KEYS_FILE: file,
    });
    expect(fromFile).toContain("JOB_ENCRYPTION_KEYS_FILE: cannot read");
    expect(fromFile).not.toContain("JOB_ENCRYPTION_REQUIRED");
    expect(
      loadConfig({ JOB_ENCRYPTION_REQUIRED: "true", JOB_ENCRYPTION_KEYS: `k:${KEY}` }).encryption,
    ).toMatchObject({ plaintextRefused: true });
  });

  it("treats an empty JOB_ENCRYPTION_KEYS as unset", () => {
    expect(loadConfig({ JOB_ENCRYPTION_KEYS: "" }).encryption.ring).toBeUndefined();
  });
});
