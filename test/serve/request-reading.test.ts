import { readFileSync } from "node:fs";
import { join } from "node:path";
import { API_ERROR_STATUS } from "../../src/serve/api-error-codes";
import { bearerToken } from "../../src/serve/authentication";
import { toApiError } from "../../src/serve/error-answers";
import { readDeliveryRequest } from "../../src/serve/routes/delivery-request";
import { REPO_ROOT } from "../support/processes";

const GUEST = { pid: "g1", password: "Guest-Pa55", source_id: "sms" };

describe("readDeliveryRequest", () => {
  it("reads one guest and stamps it with the key's id", () => {
    expect(readDeliveryRequest({ ...GUEST, reference: "R-1" }, "key1")).toEqual({
      ok: true,
      jobs: [{ ...GUEST, reference: "R-1", submitted_by: "key1" }],
    });
  });

  it("reads many, in order", () => {
    const read = readDeliveryRequest({ deliveries: [GUEST, { ...GUEST, pid: "g2" }] }, "k");
    expect(read.ok && read.jobs.map((job) => [job.pid, job.submitted_by])).toEqual([
      ["g1", "k"],
      ["g2", "k"],
    ]);
  });

  it.each([
    ["null", null, "the body must be a JSON object"],
    ["a string", "g1", "the body must be a JSON object"],
    ["an array", [GUEST], "the body must be a JSON object"],
    ["deliveries: null", { deliveries: null }, "deliveries: must be an array of deliveries"],
    ["deliveries: []", { deliveries: [] }, "deliveries: must hold at least one delivery"],
  ])("refuses %s with 400 REQUEST_INVALID", (_, body, message) => {
    const read = readDeliveryRequest(body, "k");
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.statusCode).toBe(400);
    expect(read.error.code).toBe("REQUEST_INVALID");
    expect(read.error.message).toContain(message);
  });

  it("refuses a lone invalid guest 422, naming fields without an index", () => {
    const read = readDeliveryRequest({ pid: "g1", password: " x", submitted_by: "me" }, "k");
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.statusCode).toBe(422);
    expect(read.error.details).toEqual([
      { field: "submitted_by", message: "is set by the courier to the API key's id: leave it out" },
      { field: "password", message: "must not start or end with a space or other blank character" },
      { field: "source_id", message: "is required" },
    ]);
    expect(read.error.message).toBe(
      "the delivery is invalid, nothing was enqueued: submitted_by: is set by the courier to the API key's id: leave it out; password: must not start or end with a space or other blank character; source_id: is required",
    );
  });

  it("refuses many when one is invalid, counting the invalid guests and indexing each problem", () => {
    const read = readDeliveryRequest(
      {
        deliveries: [
          GUEST,
          7,
          { ...GUEST, pid: "" },
          { ...GUEST, source_id: 1 },
          { ...GUEST, pid: "a b" },
        ],
      },
      "k",
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.details).toEqual([
      {
        index: 1,
        field: null,
        message: "job data must be a JSON object with pid, password and source_id",
      },
      { index: 2, field: "pid", message: "must not be empty" },
      { index: 2, field: "pid", message: expect.stringMatching(/^AxelNAC accepts only/) },
      { index: 3, field: "source_id", message: "must be a string" },
      { index: 4, field: "pid", message: expect.stringMatching(/^AxelNAC accepts only/) },
    ]);
    expect(read.error.message).toMatch(
      /^4 of 5 deliveries are invalid, nothing was enqueued: \[1\] job data must be .*; \[2\] pid: must not be empty; \[2\] pid: AxelNAC .*; and 2 more \(details\)$/,
    );
  });

  it("never quotes a password, whatever is wrong with it", () => {
    const password = `${"p".repeat(300)} `;
    const read = readDeliveryRequest({ deliveries: [{ ...GUEST, password }] }, "k");
    expect(JSON.stringify(read)).not.toContain("pppp");
  });
});

describe("bearerToken", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["  ", undefined],
    ["Bearer abc.def", "abc.def"],
    ["bearer abc.def", "abc.def"],
    ["BEARER   abc.def ", "abc.def"],
    ["Bearer", null],
    ["Bearer a b", null],
    ["Basic dXNlcjpwYXNz", null],
    ["abc.def", null],
  ])("reads %j as %j", (header, key) => {
    expect(bearerToken(header)).toBe(key);
  });
});

describe("toApiError", () => {
  const LIMIT = 1_024;
  it.each([
    [{ code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 }, 413, "BODY_TOO_LARGE"],
    [{ code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 }, 415, "UNSUPPORTED_MEDIA_TYPE"],
    [{ code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }, 400, "REQUEST_INVALID"],
    [{ code: "FST_ERR_CTP_EMPTY_JSON_BODY", statusCode: 400 }, 400, "REQUEST_INVALID"],
    [{ code: "FST_ERR_MAX_PARAM_LENGTH", statusCode: 414 }, 414, "REQUEST_INVALID"],
    [{ code: "FST_ERR_CTP_INVALID_CONTENT_LENGTH", statusCode: 400 }, 400, "REQUEST_INVALID"],
    [{ code: "COURIER_REDIS_UNREACHABLE" }, 503, "COURIER_REDIS_UNREACHABLE"],
    [{ code: "COURIER_REDIS_REFUSED" }, 503, "COURIER_REDIS_REFUSED"],
    [{ message: "Command timed out" }, 503, "COURIER_REDIS_UNREACHABLE"],
    [{ message: "Connection is closed." }, 503, "COURIER_REDIS_UNREACHABLE"],
    [{ code: "ERR_SOMETHING", statusCode: 400 }, 500, "COURIER_INTERNAL_ERROR"],
    [{}, 500, "COURIER_INTERNAL_ERROR"],
  ])("answers %j with %d %s, never quoting the error's own message", (fields, status, code) => {
    const error = Object.assign(new Error("secret-in-message"), fields);
    const answer = toApiError(error, LIMIT);
    expect([answer.statusCode, answer.code]).toEqual([status, code]);
    expect(answer.message).not.toContain("secret-in-message");
  });

  it("names each field of a validation error, and where it is", () => {
    const error = Object.assign(new Error("body/x"), {
      validation: [
        { instancePath: "/deliveries/0/pid", message: "is required" },
        { instancePath: "", message: "Invalid input" },
      ],
      validationContext: "body",
    });
    const answer = toApiError(error, LIMIT);
    expect(answer.toBody()).toEqual({
      error: {
        code: "REQUEST_INVALID",
        message: "invalid body: deliveries.0.pid: is required; Invalid input",
        details: [
          { in: "body", field: "deliveries.0.pid", message: "is required" },
          { in: "body", field: null, message: "Invalid input" },
        ],
      },
    });
  });
});

describe("the README's table of API error codes", () => {
  it("explains every code the API answers with, at its status", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const rows = new Set(
      [...readme.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`),
    );
    const expected = Object.entries(API_ERROR_STATUS).map(([code, status]) => `${status} ${code}`);
    expect(expected.filter((row) => !rows.has(row))).toEqual([]);
    expect(expected.length).toBeGreaterThan(10);
  });
});
