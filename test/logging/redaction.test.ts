import { captureLog, expectNoSecrets } from "../support/log-sink";

describe("log redaction", () => {
  it("redacts passwords, tokens and Authorization headers at any depth the courier logs them", () => {
    const log = captureLog();
    const secrets = ["guest-pw-1", "api-pw-2", "a".repeat(64), "Bearer b0b0", "tok-3"];
    log.logger.info(
      { password: "guest-pw-1", apiPassword: "api-pw-2", token: "a".repeat(64) },
      "top level",
    );
    log.logger.info({ job: { data: { pid: "p", password: "guest-pw-1" } } }, "job data");
    log.logger.debug(
      { args: { password: "guest-pw-1" }, headers: { authorization: "Bearer b0b0" } },
      "request",
    );
    log.logger.debug(
      { req: { headers: { authorization: "Bearer b0b0" } }, err: { token: "tok-3" } },
      "nested",
    );
    expectNoSecrets(log.text(), secrets);
    expect(log.lines()).toHaveLength(4);
    expect(log.lines()[1]).toMatchObject({ job: { data: { pid: "p", password: "[redacted]" } } });
  });

  it("the secret check itself catches a leak", () => {
    const log = captureLog();
    log.logger.info({ note: "guest-pw-1" }, "leak");
    expect(() => expectNoSecrets(log.text(), ["guest-pw-1"])).toThrow(
      /a secret appears in the logs/,
    );
  });
});
