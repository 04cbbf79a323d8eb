import { createHmac } from "node:crypto";
import {
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from "../../src/webhooks/webhook-signature";

const SECRET = "whsec-test-0123456789";
const BODY = '{"id":"evt_1","type":"delivery.delivered"}';
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

describe("webhook signatures", () => {
  it("are Stripe's scheme: t=<seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>", () => {
    const expected = createHmac("sha256", SECRET).update(`${NOW}.${BODY}`).digest("hex");
    expect(signWebhook(SECRET, BODY, NOW)).toBe(`t=${NOW},v1=${expected}`);
    expect(WEBHOOK_SIGNATURE_HEADER).toBe("Courier-Signature");
  });

  it("verify with the secret, over the raw body as a string or as bytes", () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, NOW)).toEqual({
      ok: true,
      timestamp: NOW,
    });
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), 300, NOW).ok).toBe(true);
    const utf8 = '{"pid":"гость"}';
    expect(
      verifyWebhookSignature(SECRET, signWebhook(SECRET, utf8, NOW), Buffer.from(utf8), 300, NOW)
        .ok,
    ).toBe(true);
  });

  it.each([
    ["299 s old", true, NOW - 299],
    ["300 s old", true, NOW - 300],
    ["301 s old (a replay)", false, NOW - 301],
    ["an hour old", false, NOW - 3_600],
    ["301 s ahead", false, NOW + 301],
  ])("within a 300 s tolerance: a signature %s verifies: %s", (_, ok, signedAt) => {
    const check = verifyWebhookSignature(
      SECRET,
      signWebhook(SECRET, BODY, signedAt),
      BODY,
      300,
      NOW,
    );
    expect(check.ok).toBe(ok);
    if (!check.ok) expect(check.problem).toBe("stale");
  });

  it("refuses a tampered body and another secret", () => {
    const header = signWebhook(SECRET, BODY, NOW);
    const tampered = BODY.replace("delivered", "failed");
    expect(verifyWebhookSignature(SECRET, header, tampered, 300, NOW)).toMatchObject({
      ok: false,
      problem: "mismatch",
    });
    expect(verifyWebhookSignature(`${SECRET}x`, header, BODY, 300, NOW)).toMatchObject({
      ok: false,
      problem: "mismatch",
    });
    // The timestamp is signed too: moving it forward to dodge the tolerance breaks the signature.
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(verifyWebhookSignature(SECRET, moved, BODY, 300, NOW)).toMatchObject({
      problem: "mismatch",
    });
  });

  it("accepts any one matching v1 among several, and ignores other schemes", () => {
    const good = signWebhook(SECRET, BODY, NOW).split(",v1=")[1] as string;
    const other = "0".repeat(64);
    const header = `t=${NOW},v0=abc,v1=${other},v1=${good}`;
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, NOW).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, `t=${NOW},v1=${other}`, BODY, 300, NOW)).toMatchObject({
      problem: "mismatch",
    });
  });

  const hex = "a".repeat(64);
  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["no timestamp", `v1=${hex}`],
    ["no signature", `t=${NOW}`],
    ["a timestamp that is not a number", `t=soon,v1=${hex}`],
    ["two timestamps", `t=${NOW},t=${NOW},v1=${hex}`],
    ["a signature that is not 64 hex digits", `t=${NOW},v1=${hex.slice(1)}`],
    ["upper-case hex", `t=${NOW},v1=${hex.toUpperCase()}`],
    ["a part without =", `t=${NOW},v1`],
  ])("calls %s malformed", (_, header) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, NOW)).toEqual({
      ok: false,
      problem: "malformed",
      reason: 'the Courier-Signature header is not "t=<unix seconds>,v1=<hex HMAC-SHA256>"',
    });
  });

  it("defaults to the clock and a 300 s tolerance", () => {
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, BODY), BODY).ok).toBe(true);
    const old = signWebhook(SECRET, BODY, Math.floor(Date.now() / 1_000) - 400);
    expect(verifyWebhookSignature(SECRET, old, BODY)).toMatchObject({ problem: "stale" });
  });
});
