import { failureCause } from "../../src/worker/failure-cause";

describe("the cause of a failure, apart from the guest it happened to", () => {
  it("is the message itself when no guest is named", () => {
    expect(failureCause({ message: "login failed: the answer's token is undefined" })).toBe(
      "login failed: the answer's token is undefined",
    );
  });

  it("is the same for two guests failing the same way", () => {
    const of = (pid: string) =>
      failureCause({
        pid,
        message: `send_user_credentials for pid ${JSON.stringify(pid)} failed: 503 (AXELNAC_UNREACHABLE)`,
      });
    expect(of("alice")).toBe(
      "send_user_credentials for pid <pid> failed: 503 (AXELNAC_UNREACHABLE)",
    );
    expect(of("bob")).toBe(of("alice"));
  });

  it("takes out every mention of the guest, quoted as the client quotes it, and nothing else", () => {
    expect(
      failureCause({ pid: 'a"b', message: 'pid "a\\"b" failed; "a\\"b" again; a"b unquoted' }),
    ).toBe('pid <pid> failed; <pid> again; a"b unquoted');
  });
});
