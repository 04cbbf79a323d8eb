import { sealWebhookSecret } from "../../src/api-keys/api-key-record";
import { KeyRing } from "../../src/secrets";
import {
  type WebhookFields,
  wantsWebhooks,
  webhookTargetOf,
} from "../../src/webhooks/webhook-target";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 7).toString("base64")}`);
const OTHER_RING = KeyRing.parse(`k2:${Buffer.alloc(32, 8).toString("base64")}`);
const RECORD = "courier:q:api-key:key1";
const SECRET = "whsec-target-test";

const fields = (over: Partial<WebhookFields>): WebhookFields => ({
  webhookUrl: "https://hooks.example.org/courier?token=t0ken",
  webhookSecret: SECRET,
  revokedAt: null,
  ...over,
});

describe("an API key's webhook, read at send time", () => {
  it("is sent to with the plaintext secret, or the sealed one opened by the ring", () => {
    expect(webhookTargetOf(fields({}), undefined, RECORD)).toEqual({
      kind: "send",
      url: new URL("https://hooks.example.org/courier?token=t0ken"),
      secret: SECRET,
    });
    const sealed = sealWebhookSecret(RING, SECRET, RECORD);
    expect(sealed).not.toContain(SECRET);
    expect(webhookTargetOf(fields({ webhookSecret: sealed }), RING, RECORD)).toMatchObject({
      kind: "send",
      secret: SECRET,
    });
  });

  it.each([
    ["a revoked key", { revokedAt: "1767225600000" }, "its API key was revoked"],
    [
      "no webhook",
      { webhookUrl: null },
      "its API key has no webhook any more, or no longer exists",
    ],
    [
      "an empty URL",
      { webhookUrl: "" },
      "its API key has no webhook any more, or no longer exists",
    ],
    [
      "a URL that is none",
      { webhookUrl: "hooks.example.org" },
      "its API key's webhookUrl is not a URL",
    ],
    [
      "another scheme",
      { webhookUrl: "ftp://hooks.example.org/" },
      "its API key's webhookUrl is not an http:// or https:// URL",
    ],
    [
      "no secret",
      { webhookSecret: null },
      "its API key has a webhookUrl but no webhookSecret to sign with",
    ],
  ])("is dropped for %s", (_, over, reason) => {
    expect(webhookTargetOf(fields(over), RING, RECORD)).toEqual({ kind: "drop", reason });
  });

  it("is unreadable, saying why, when its sealed secret does not open here", () => {
    const sealed = sealWebhookSecret(RING, SECRET, RECORD);
    expect(webhookTargetOf(fields({ webhookSecret: sealed }), undefined, RECORD)).toEqual({
      kind: "unreadable",
      reason: "its webhook secret is unreadable: it is sealed and JOB_ENCRYPTION_KEYS is not set",
    });
    expect(webhookTargetOf(fields({ webhookSecret: sealed }), OTHER_RING, RECORD)).toEqual({
      kind: "unreadable",
      reason:
        'its webhook secret is unreadable: it is sealed with key "k1", which JOB_ENCRYPTION_KEYS lacks',
    });
    // Copied onto another key's record: bound to its own, it does not open there.
    expect(
      webhookTargetOf(fields({ webhookSecret: sealed }), RING, "courier:q:api-key:key2"),
    ).toMatchObject({ kind: "unreadable" });
  });

  it.each([
    [{ webhookUrl: "https://h.example/", revokedAt: null }, true],
    [{ webhookUrl: "https://h.example/", revokedAt: "1" }, false],
    [{ webhookUrl: null, revokedAt: null }, false],
    [{ webhookUrl: "", revokedAt: null }, false],
  ])("is wanted, when an outcome is queued, for %j: %s", (record, wanted) => {
    expect(wantsWebhooks(record)).toBe(wanted);
  });
});
