/** Requests that got no complete answer, at the edges the outcome table does not reach. */
import { classifyTransportFailure } from "../../src/axelnac";
import { safeCause } from "../../src/axelnac/classify-network";

const send = { operation: "send", pid: "guest-1" } as const;

function networkError(message: string, code?: string, name = "Error"): Error {
  const error = new Error(message);
  error.name = name;
  return code === undefined ? error : Object.assign(error, { code });
}

describe("certificate failures", () => {
  // Every OpenSSL verification failure Node reports, and its host-name check.
  it.each([
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    "CERT_SIGNATURE_FAILURE",
    "CERT_NOT_YET_VALID",
    "CERT_HAS_EXPIRED",
    "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    "ERROR_IN_CERT_NOT_AFTER_FIELD",
    "CERT_CHAIN_TOO_LONG",
    "CERT_REVOKED",
    "INVALID_CA",
    "PATH_LENGTH_EXCEEDED",
    "INVALID_PURPOSE",
    "CERT_UNTRUSTED",
    "CERT_REJECTED",
    "HOSTNAME_MISMATCH",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ])("%s is an untrusted certificate", (code) => {
    const failure = { error: networkError("verify failed", code), requestSent: false };
    expect(classifyTransportFailure(failure, send).code).toBe("AXELNAC_TLS_UNTRUSTED");
  });

  it.each([
    ["no code", undefined],
    ["an empty code", ""],
    ["another TLS code", "ERR_SSL_WRONG_VERSION_NUMBER"],
  ])("an error with %s is not a certificate failure", (_what, code) => {
    const failure = { error: networkError("handshake failed", code), requestSent: false };
    expect(classifyTransportFailure(failure, send).code).toBe("AXELNAC_UNREACHABLE");
  });
});

describe("what a transport failure records", () => {
  it("keeps the status line of an answer whose body never arrived", () => {
    const error = classifyTransportFailure(
      {
        error: networkError("Body Timeout Error", "UND_ERR_BODY_TIMEOUT"),
        requestSent: true,
        status: 200,
      },
      send,
    );
    expect(error.status).toBe(200);
    expect(error.code).toBe("AXELNAC_OUTCOME_UNKNOWN");
  });

  it("records no status when no answer came", () => {
    const error = classifyTransportFailure(
      { error: networkError("read ECONNRESET", "ECONNRESET"), requestSent: false },
      send,
    );
    expect(error.status).toBeUndefined();
    expect("status" in error).toBe(false);
  });

  it("names the code when the message does not, once when it does", () => {
    const without = classifyTransportFailure(
      { error: networkError("other side closed", "UND_ERR_SOCKET"), requestSent: false },
      send,
    );
    expect(without.message).toBe(
      'send_user_credentials for pid "guest-1" failed: other side closed [UND_ERR_SOCKET] (AXELNAC_UNREACHABLE)',
    );
    const within = classifyTransportFailure(
      {
        error: networkError("connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED"),
        requestSent: false,
      },
      send,
    );
    expect(within.message).toBe(
      'send_user_credentials for pid "guest-1" failed: connect ECONNREFUSED 127.0.0.1:9 (AXELNAC_UNREACHABLE)',
    );
  });
});

describe("safeCause", () => {
  it("copies name, message and code, and leaves out a code the error does not have", () => {
    const withCode = safeCause(networkError("boom", "E_BOOM", "SocketError"));
    expect(withCode).toMatchObject({ name: "SocketError", message: "boom", code: "E_BOOM" });
    const withoutCode = safeCause(networkError("boom"));
    expect("code" in withoutCode).toBe(false);
    expect(safeCause(networkError("a secret here"), ["secret"]).message).toBe("a [redacted] here");
  });

  it("names an empty AggregateError by its name", () => {
    const cause = safeCause(new AggregateError([], ""));
    expect(cause.message).toBe("AggregateError");
    expect(safeCause(new AggregateError(["plain"], "")).message).toBe("plain");
  });
});
