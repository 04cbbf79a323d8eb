import { LoginRejectedError, TokenRejectedError } from "../../src/axelnac";
import { explainLoginRejection } from "../../src/token/busy-login";

const refused = (status: number, message?: string) =>
  new LoginRejectedError(`login rejected: ${status}${message ? ` ${message}` : ""}`, {
    operation: "login",
    status,
    ...(message !== undefined ? { applianceMessage: message } : {}),
  });

describe("explaining a refused login", () => {
  const WORDS = "Wasn't able to authenticate those credentials";

  it("adds the busy appliance and the [webservices] account when a login succeeded before", () => {
    const explained = explainLoginRejection(refused(401, WORDS), 125_000) as LoginRejectedError;
    expect(explained).toBeInstanceOf(LoginRejectedError);
    expect(explained.message).toBe(
      `login rejected: 401 ${WORDS}, though a login with the same account succeeded 2m05s ago: either its password changed, or the appliance was too busy to check it (an administrator from an internal source is checked by the API workers, and refused when none answers in 10 s; the [webservices] account of pf.conf is checked in memory and is never refused for that) (AXELNAC_LOGIN_REJECTED)`,
    );
    expect(explained).toMatchObject({
      code: "AXELNAC_LOGIN_REJECTED",
      failureClass: "systemic",
      operation: "login",
      status: 401,
      applianceMessage: WORDS,
    });
  });

  it("keeps a body-less 401 without an appliance message", () => {
    const explained = explainLoginRejection(refused(401), 0) as LoginRejectedError;
    expect(explained.message).toMatch(/^login rejected: 401, though a login .* succeeded 0s ago/);
    expect("applianceMessage" in explained).toBe(false);
  });

  it("leaves the error as it is when no login succeeded within a token's lifetime", () => {
    const error = refused(401, WORDS);
    expect(explainLoginRejection(error, undefined)).toBe(error);
  });

  it("leaves other refusals alone: a 400 or 403 login is never a busy appliance", () => {
    const bad = refused(400, "EOF");
    expect(explainLoginRejection(bad, 1_000)).toBe(bad);
    const tokenRefused = new TokenRejectedError("x", { operation: "send", status: 401 });
    expect(explainLoginRejection(tokenRefused, 1_000)).toBe(tokenRefused);
    const other = new Error("boom");
    expect(explainLoginRejection(other, 1_000)).toBe(other);
  });
});
