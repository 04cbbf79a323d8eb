import type { GuestRecord } from "../../src/axelnac";
import {
  AccessDeniedError,
  ApplianceUnreachableError,
  ProviderFailedError,
  ThrottledError,
} from "../../src/axelnac";
import {
  GUEST_NOT_FOUND,
  GUEST_WITHOUT_TELEPHONE,
  guestVerifier,
} from "../../src/import/guest-verification";

const known: Record<string, GuestRecord> = {
  alice: { pid: "alice", telephone: "+7999" },
  dan: { pid: "dan", telephone: "" },
  eve: { pid: "eve", telephone: undefined },
};

describe("checking a chunk's guests on the appliance", () => {
  it("says why in the words the import prints after `line N: `", () => {
    expect(GUEST_NOT_FOUND).toBe("the appliance has no guest with this pid (--verify-guests)");
    expect(GUEST_WITHOUT_TELEPHONE).toBe(
      "the appliance has no telephone for this guest, so no SMS can reach them (--verify-guests)",
    );
  });

  it("names the guests no SMS can reach, keeps the order of the pids, and looks each pid up once", async () => {
    const asked: string[] = [];
    const check = guestVerifier(
      async (pid) => {
        asked.push(pid);
        return known[pid] ?? null;
      },
      { concurrency: () => 2 },
    );
    await expect(check(["alice", "zoe", "dan", "alice", "eve"])).resolves.toEqual([
      undefined,
      GUEST_NOT_FOUND,
      GUEST_WITHOUT_TELEPHONE,
      undefined,
      GUEST_WITHOUT_TELEPHONE,
    ]);
    expect(asked.sort()).toEqual(["alice", "dan", "eve", "zoe"]);
  });

  it.each([
    [3, 3],
    [0, 1],
    [-4, 1],
    [2.7, 2],
  ])("keeps at most the concurrency it is given in flight (%p → %p)", async (given, most) => {
    let inFlight = 0;
    let peak = 0;
    const check = guestVerifier(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return known.alice as GuestRecord;
      },
      { concurrency: async () => given },
    );
    await check(Array.from({ length: 12 }, (_, n) => `guest-${n}`));
    expect(peak).toBe(most);
  });

  it("tries a retryable failure again, then gives up after the attempts it has", async () => {
    let calls = 0;
    const failing = new ProviderFailedError("AXELNAC_SERVER_ERROR", "user lookup failed: 500", {
      operation: "user",
      status: 500,
    });
    const flaky = guestVerifier(
      async () => {
        calls++;
        if (calls < 3) throw failing;
        return known.alice as GuestRecord;
      },
      { concurrency: () => 1, attempts: 3, retryDelayMs: 1 },
    );
    await expect(flaky(["alice"])).resolves.toEqual([undefined]);
    expect(calls).toBe(3);

    calls = 0;
    const broken = guestVerifier(
      async () => {
        calls++;
        throw failing;
      },
      { concurrency: () => 1, attempts: 2, retryDelayMs: 1 },
    );
    await expect(broken(["alice"])).rejects.toBe(failing);
    expect(calls).toBe(2);
  });

  it("takes no new pid in the other lanes once one lane failed", async () => {
    const denied = new AccessDeniedError("user lookup rejected: 403", {
      operation: "user",
      status: 403,
    });
    const asked: string[] = [];
    let finishB: () => void = () => undefined;
    const bDone = new Promise<void>((resolve) => {
      finishB = resolve;
    });
    const check = guestVerifier(
      async (pid) => {
        asked.push(pid);
        if (pid === "a") throw denied;
        if (pid === "b") await bDone;
        return known.alice as GuestRecord;
      },
      { concurrency: () => 2, retryDelayMs: 1 },
    );
    const failing = check(["b", "a", "c", "d"]);
    await expect(failing).rejects.toBe(denied);
    finishB();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toEqual(["b", "a"]);
  });

  it("waits the doubling delay between tries, or what a 429 asked for, for every failure a retry may fix", async () => {
    const failures = [
      new ProviderFailedError("AXELNAC_SERVER_ERROR", "500", { operation: "user", status: 500 }),
      new ApplianceUnreachableError("down", { operation: "user" }),
      new ThrottledError("429", { operation: "user", status: 429, retryAfterMs: 7 }),
    ];
    const waits: number[] = [];
    let calls = 0;
    const check = guestVerifier(
      async () => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return known.alice as GuestRecord;
      },
      {
        concurrency: () => 1,
        attempts: 4,
        retryDelayMs: 10,
        sleep: async (ms) => waits.push(ms),
      },
    );
    await expect(check(["alice"])).resolves.toEqual([undefined]);
    expect(waits).toEqual([10, 20, 7]);
  });

  it("stops at once on a failure no retry fixes, and starts no further lookup", async () => {
    const denied = new AccessDeniedError("user lookup rejected: 403", {
      operation: "user",
      status: 403,
    });
    const asked: string[] = [];
    const check = guestVerifier(
      async (pid) => {
        asked.push(pid);
        throw denied;
      },
      { concurrency: () => 1, retryDelayMs: 1 },
    );
    await expect(check(["a", "b", "c"])).rejects.toBe(denied);
    expect(asked).toEqual(["a"]);
  });
});
