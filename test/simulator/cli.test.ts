import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Agent } from "undici";
import { runSimulate } from "../../src/cli/simulate";
import { call, waitFor } from "./http";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

describe("axelnac-courier simulate", () => {
  it.each([
    [["--bogus"], "--bogus"],
    [["--port", "http"], "--port"],
    [["--port", "70000"], "--port"],
    [["--idle-timeout", "soon"], "--idle-timeout"],
    [["--max-lifetime", "0"], "--max-lifetime"],
    [["--fail-rate", "2"], "--fail-rate"],
    [["--max-concurrent", "0"], "--max-concurrent"],
    [["--sources", " , "], "--sources"],
    [["--guests", "/nonexistent/guests.csv"], "--guests"],
    [["--port"], "--port"],
    [["extra"], "extra"],
  ])("exits 2 for %j with a message naming %s", async (argv, flag) => {
    const out = capture();
    expect(await runSimulate(argv, out.io)).toBe(2);
    const firstLine = out.err().split("\n")[0] ?? "";
    expect(firstLine).toContain(flag);
    expect(out.err()).toContain("usage: axelnac-courier simulate");
  });

  it("prints its usage for --help and exits 0", async () => {
    const out = capture();
    expect(await runSimulate(["--help"], out.io)).toBe(0);
    expect(out.out()).toContain("--max-concurrent");
  });

  it("runs on a free port with the given options until stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "simulate-cli-"));
    const guests = join(dir, "guests.csv");
    writeFileSync(guests, "pid,telephone\nalice,+79990001122\n");
    const out = capture();
    const stop = new AbortController();
    const signalListeners = process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");
    const running = runSimulate(
      [
        ["--port", "0"],
        ["--tls"],
        ["--username", "cli-user"],
        ["--password", "cli-Pass-1"],
        ["--guests", guests],
        ["--sources", "sms-a, sms-b"],
        ["--latency", "10ms"],
        ["--max-concurrent", "3"],
      ].flat(),
      out.io,
      stop.signal,
    );
    let agent: Agent | undefined;
    try {
      await waitFor(() => out.out().includes("Control API"), 10_000);
      const url = /AxelNAC simulator listening on (https:\/\/127\.0\.0\.1:\d+)\n/.exec(
        out.out(),
      )?.[1];
      expect(url).toBeDefined();
      expect(url).not.toMatch(/:0$/);
      const caFile = /^AXELNAC_CA_FILE=(\S+)$/m.exec(out.out());
      expect(caFile?.[1]).toBeDefined();
      expect(out.out()).toContain(`Control API: ${url}/_simulator/`);

      agent = new Agent({ connect: { ca: readFileSync(caFile?.[1] ?? "", "utf8") } });
      const base = url ?? "";
      const loginAnswer = await call(base, "/api/v1/login", {
        body: { username: "cli-user", password: "cli-Pass-1" },
        dispatcher: agent,
      });
      expect(loginAnswer.status).toBe(200);
      const token = (loginAnswer.json as { token: string }).token;
      const path = "/api/v1/sms_gateways/send_user_credentials";
      const unknownSource = await call(base, path, {
        token,
        body: { args: { pid: "alice", password: "x", source_id: "sms-c" } },
        dispatcher: agent,
      });
      expect(unknownSource.status).toBe(422);
      const unknownGuest = await call(base, path, {
        token,
        body: { args: { pid: "bob", password: "x", source_id: "sms-b" } },
        dispatcher: agent,
      });
      expect(unknownGuest.status).toBe(404);
      expect(out.out()).not.toContain("cli-Pass-1");
    } finally {
      await agent?.close();
      stop.abort();
      expect(await running).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(process.listenerCount("SIGINT") + process.listenerCount("SIGTERM")).toBe(
      signalListeners,
    );
    expect(out.err()).toBe("");
  });

  it("exits 1 when the port is taken", async () => {
    const stop = new AbortController();
    const first = capture();
    const running = runSimulate(["--port", "0"], first.io, stop.signal);
    try {
      await waitFor(() => first.out().includes("listening on"), 5_000);
      const port = /:(\d+)\n/.exec(first.out())?.[1] ?? "";
      const second = capture();
      expect(await runSimulate(["--port", port], second.io)).toBe(1);
      expect(second.err()).toContain("EADDRINUSE");
    } finally {
      stop.abort();
      await running;
    }
  });
});
