import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { outcomeEvent } from "../../src/webhooks/webhook-event";
import { signWebhook, verifyWebhookSignature } from "../../src/webhooks/webhook-signature";
import { REPO_ROOT } from "../support/processes";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The README's section on outcome webhooks, from its heading to the next section. */
function webhooksSection(): string {
  const start = README.indexOf("## Outcome webhooks");
  const end = README.indexOf("\n## ", start + 1);
  if (start < 0 || end < 0) throw new Error("README has no Outcome webhooks section");
  return README.slice(start, end);
}

const SECRET = "whsec-readme-0123456789";
const NOW = Math.floor(Date.now() / 1_000);
const EVENT = outcomeEvent({
  jobId: "expo~1",
  pid: "гость-1",
  outcome: "delivered",
  attempts: 1,
  enqueuedAt: "2026-03-02T09:14:05.101Z",
  finishedAt: "2026-03-02T09:14:07.498Z",
  applianceStatus: 200,
  applianceMessage: "SMS sent",
  submittedBy: "key1",
});
const BODY = JSON.stringify(EVENT);

/** Signed as the worker signs, then each case alters one thing. */
const CASES = [
  { name: "as sent", secret: SECRET, header: signWebhook(SECRET, BODY, NOW), body: BODY },
  {
    name: "another secret",
    secret: "whsec-other",
    header: signWebhook(SECRET, BODY, NOW),
    body: BODY,
  },
  {
    name: "a tampered body",
    secret: SECRET,
    header: signWebhook(SECRET, BODY, NOW),
    body: BODY.replace("delivered", "failed"),
  },
  {
    name: "replayed after 10 minutes",
    secret: SECRET,
    header: signWebhook(SECRET, BODY, NOW - 600),
    body: BODY,
  },
  {
    name: "a forged timestamp",
    secret: SECRET,
    header: signWebhook(SECRET, BODY, NOW - 600).replace(`t=${NOW - 600}`, `t=${NOW}`),
    body: BODY,
  },
  { name: "no header", secret: SECRET, header: undefined, body: BODY },
  { name: "a malformed header", secret: SECRET, header: "v1=abc", body: BODY },
];

describe("README: checking an outcome webhook's signature in plain Node", () => {
  it("shows a body whose type and fields are an event's", () => {
    const json = /```json\n([\s\S]*?)```/.exec(webhooksSection())?.[1] ?? "";
    const shown = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(shown)).toEqual(Object.keys(EVENT ?? {}));
    expect(JSON.stringify(shown)).not.toMatch(/password/i);
  });

  it("accepts what the worker signs and refuses what it should, as the package's check does", () => {
    const code = /```js\n([\s\S]*?verifyCourierSignature[\s\S]*?)```/.exec(webhooksSection())?.[1];
    expect(code).toBeDefined();
    // The snippet as written, then a loop over the cases: the body as the bytes received.
    const program = `${code}
const cases = JSON.parse(process.env.CASES);
console.log(JSON.stringify(cases.map((c) => verifyCourierSignature(c.secret, c.header, Buffer.from(c.body, "utf8")))));`;
    const run = spawnSync(process.execPath, ["-e", program], {
      env: { PATH: process.env.PATH ?? "", CASES: JSON.stringify(CASES) },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const verdicts = JSON.parse(run.stdout) as boolean[];
    const named = (results: boolean[]) => CASES.map((c, i) => [c.name, results[i]]);
    expect(named(verdicts)).toEqual([
      ["as sent", true],
      ["another secret", false],
      ["a tampered body", false],
      ["replayed after 10 minutes", false],
      ["a forged timestamp", false],
      ["no header", false],
      ["a malformed header", false],
    ]);
    const packaged = CASES.map((c) => verifyWebhookSignature(c.secret, c.header, c.body).ok);
    expect(named(packaged)).toEqual(named(verdicts));
  });
});
