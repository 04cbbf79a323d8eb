import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { passwordAad } from "../../src/jobs/job-password";
import { KeyRing, open } from "../../src/secrets";
import { deliveryReport, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { REPO_ROOT } from "../support/processes";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The README's section on sealed passwords, from its heading to the next section. */
function sealedPasswordsSection(): string {
  const start = README.indexOf("**Sealed passwords.**");
  const end = README.indexOf("\n## ", start);
  if (start < 0 || end < 0) throw new Error("README has no sealed-passwords section");
  return README.slice(start, end);
}

describe("README: sealed passwords for producers in other languages", () => {
  it("gives test vectors that open, under the documented key, to the documented password", () => {
    const section = sealedPasswordsSection();
    const ring = KeyRing.parse(/with the key `([^`]+)`/.exec(section)?.[1] ?? "");
    const rows = [
      ...section.matchAll(
        /^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \| `[0-9a-f]{24}` \| `([^`]+)` \|$/gm,
      ),
    ];
    expect(rows).toHaveLength(2);
    for (const [, pid, source_id, password, sealed] of rows) {
      const opened = open(
        ring,
        sealed as string,
        passwordAad({ pid: pid as string, source_id: source_id as string }),
      );
      expect(opened).toEqual({ ok: true, text: password, keyId: "k1" });
    }
  });

  describe("the Node example, run as written", () => {
    let h: DeliveryHarness | undefined;

    afterEach(async () => {
      await h?.close();
    });

    it("writes a sealed job that the worker delivers with the guest's password", async () => {
      const ring = `example:${Buffer.alloc(32, 41).toString("base64")},older:${Buffer.alloc(32, 42).toString("base64")}`;
      h = await DeliveryHarness.start({
        settings: { JOB_ENCRYPTION_KEYS: ring, JOB_ENCRYPTION_REQUIRED: "true" },
      });
      const code = /```js\n([\s\S]*?sealPassword[\s\S]*?)```/.exec(sealedPasswordsSection())?.[1];
      expect(code).toBeDefined();

      const run = spawnSync(process.execPath, ["-e", code as string], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          REDIS_URL: h.redisUrl,
          QUEUE_NAME: h.queueName,
          JOB_ENCRYPTION_KEYS: ring,
        },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      const [job] = await h.queue.getWaiting();
      expect(job?.data).toEqual({
        pid: "guest1",
        source_id: "sms",
        password: expect.stringMatching(/^enc:v1:example:[\w-]+$/),
      });

      await h.fleet.start(1);
      const guest = { pid: "guest1", password: "Guest-Pa55", source_id: "sms" };
      await waitForAllDelivered(h.sim, h.queue, [guest], 20_000);
      expect(deliveryReport(h.sim, [guest])).toMatchObject({ sent: 1, wrongPassword: [] });
    });
  });
});
