import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import {
  fingerprintingStream,
  fingerprintOf,
  RequestFingerprint,
} from "../../src/serve/idempotency/fingerprint";
import { bodyIsFingerprintable } from "../../src/serve/idempotency/fingerprintable-body";
import { decideOnExisting } from "../../src/serve/idempotency/idempotency-decision";
import { parseIdempotencyKey } from "../../src/serve/idempotency/idempotency-key";
import {
  type DoneRecord,
  doneFields,
  type RunningRecord,
  readRecord,
  runningFields,
} from "../../src/serve/idempotency/idempotency-record";
import { idempotencyRecordKey } from "../../src/serve/idempotency/idempotency-store";

describe("parseIdempotencyKey", () => {
  it.each([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ["8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ['"with space and ; , = chars"', "with space and ; , = chars"],
    ['"escaped \\" quote and \\\\ backslash"', 'escaped " quote and \\ backslash'],
    ['  "padded"  ', "padded"],
    ["order:42/retry.1", "order:42/retry.1"],
    [`"${"k".repeat(255)}"`, "k".repeat(255)],
  ])("reads %j as %j", (header, key) => {
    expect(parseIdempotencyKey(header)).toEqual({ ok: true, key });
  });

  it.each([
    ["", "is empty"],
    ['""', "is empty"],
    [`"${"k".repeat(256)}"`, "is 256 characters long; at most 255 are allowed"],
    ["k".repeat(256), "is 256 characters long; at most 255 are allowed"],
    ['"unterminated', "has no closing quote"],
    ['"one", "two"', "has text after its closing quote (one key per request)"],
    ['"bad \\n escape"', 'has a backslash that escapes neither " nor \\'],
    ['"tab\tinside"', "holds a character other than printable ASCII"],
    ['"ключ"', "holds a character other than printable ASCII"],
    ["bare with space", "is neither a quoted string"],
    ["semi;colon", "is neither a quoted string"],
  ])("refuses %j: it %s", (header, problem) => {
    const parsed = parseIdempotencyKey(header);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problem).toContain(problem);
  });
});

describe("the request fingerprint", () => {
  const SECRET = "a-secret-of-the-fleet";
  const BODY = '{"pid":"guest-1","password":"Pa55-word","source_id":"sms"}';

  it("is keyed: another secret gives another fingerprint, and neither is a plain hash", () => {
    const one = fingerprintOf(SECRET, "POST", "/v1/deliveries", BODY);
    const other = fingerprintOf("another-secret", "POST", "/v1/deliveries", BODY);
    expect(one).not.toBe(other);
    for (const plain of ["hex", "base64url"] as const) {
      expect(one).not.toBe(createHash("sha256").update(BODY).digest(plain));
    }
  });

  it.each([
    ["the method", "PATCH", "/v1/deliveries", BODY],
    ["the path", "POST", "/v1/batches", BODY],
    ["the query", "POST", "/v1/deliveries?dry=1", BODY],
    ["one byte of the body", "POST", "/v1/deliveries", BODY.replace("Pa55", "Pa56")],
  ])("changes with %s", (_what, method, path, body) => {
    const base = fingerprintOf(SECRET, "POST", "/v1/deliveries", BODY);
    expect(fingerprintOf(SECRET, method, path, body)).not.toBe(base);
  });

  it("is the same fed chunk by chunk through the pass-through stream, which keeps the body", async () => {
    const fingerprint = new RequestFingerprint(SECRET, "POST", "/v1/deliveries");
    const chunks = [BODY.slice(0, 7), BODY.slice(7, 30), BODY.slice(30)].map((c) => Buffer.from(c));
    const tap = fingerprintingStream(Readable.from(chunks), fingerprint);
    expect(await text(tap)).toBe(BODY);
    expect(fingerprint.finished).toBe(true);
    expect(fingerprint.digest()).toBe(fingerprintOf(SECRET, "POST", "/v1/deliveries", BODY));
    expect((tap as { receivedEncodedLength?: number }).receivedEncodedLength).toBe(
      Buffer.byteLength(BODY),
    );
  });

  it("is not given before the body has been read to its end", () => {
    const fingerprint = new RequestFingerprint(SECRET, "POST", "/v1/deliveries");
    fingerprint.update(Buffer.from(BODY.slice(0, 10)));
    expect(() => fingerprint.digest()).toThrow("not been read to its end");
  });
});

describe("bodyIsFingerprintable", () => {
  it.each([
    [{ "content-type": "application/json" }, true],
    [{ "content-type": "application/json; charset=utf-8" }, true],
    [{ "content-type": "Application/JSON" }, true],
    [{ "content-type": "application/problem+json" }, true],
    [{}, true],
    [{ "content-length": "0" }, true],
    [{ "content-type": "text/csv" }, false],
    [{ "content-type": "multipart/form-data; boundary=x" }, false],
    [{ "content-type": "application/octet-stream" }, false],
    [{ "content-length": "12" }, false],
    [{ "transfer-encoding": "chunked" }, false],
  ])("%j → %s", (headers, expected) => {
    expect(bodyIsFingerprintable(headers)).toBe(expected);
  });
});

describe("idempotency records", () => {
  const running: RunningRecord = {
    state: "running",
    fingerprint: "fp-1",
    claim: "claim-1",
    startedAt: 1_700_000_000_000,
  };
  const done: DoneRecord = {
    state: "done",
    fingerprint: "fp-1",
    storedAt: 1_700_000_000_500,
    response: { status: 202, contentType: "application/json", body: '{"job_id":"7"}' },
  };

  it("read back as written: running, done with a text body, done with bytes and no type", () => {
    expect(readRecord(runningFields(running))).toEqual(running);
    expect(readRecord(doneFields(done))).toEqual(done);
    const binary: DoneRecord = {
      ...done,
      response: { status: 409, contentType: undefined, body: Buffer.from([0, 255, 10]) },
    };
    expect(readRecord(doneFields(binary))).toEqual(binary);
  });

  it("refuses a hash that is not a record, naming its fields", () => {
    expect(() => readRecord(["state", "done", "fingerprint", "x"])).toThrow(
      /malformed \(fields: status, body, bodyEncoding, storedAt\)/,
    );
    expect(() => readRecord([])).toThrow("malformed (fields: state)");
  });

  it.each([
    ["running, same request", "in-progress", running, "fp-1"],
    ["running, another request", "reused", running, "fp-2"],
    ["done, same request", "replay", done, "fp-1"],
    ["done, another request", "reused", done, "fp-2"],
  ] as const)("%s → %s", (_case, kind, record, fingerprint) => {
    expect(decideOnExisting(record, fingerprint).kind).toBe(kind);
  });

  it("are keyed per client, method, route and key, in a key of fixed shape", () => {
    const scope = {
      client: "key:k1",
      method: "POST",
      route: "/v1/deliveries",
      idempotencyKey: 'any "text" : at all',
    };
    const key = idempotencyRecordKey("pre:queue", scope);
    expect(key).toMatch(/^pre:queue:idempotency:[0-9a-f]{64}$/);
    for (const change of [
      { client: "key:k2" },
      { client: "ip:127.0.0.1" },
      { method: "PATCH" },
      { route: "/v1/batches" },
      { idempotencyKey: "other" },
    ]) {
      expect(idempotencyRecordKey("pre:queue", { ...scope, ...change })).not.toBe(key);
    }
  });
});
