import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { type CliResult, runCli, startCli } from "../support/cli";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";
import { WorkerProcess } from "../support/worker-fleet";

/** `simulate`, running, once it has printed its settings; the test kills its child to stop it. */
async function startSimulate(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; result: Promise<CliResult> }> {
  const { child, result } = startCli(["simulate", "--port", "0", ...args], env);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  // The control API's line comes after the settings.
  await waitUntil(() => output.includes("Control API"), {
    timeoutMs: 15_000,
    what: "simulate's settings",
    describe: () => output,
  });
  return { child, output: () => output, result };
}

/** The `NAME=value` lines of simulate's output, as a worker's environment. */
function settingLines(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split("\n")
      .map((line) => /^(AXELNAC_[A-Z_]+)=(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1] as string, match[2] as string]),
  );
}

describe("simulate prints the settings a worker needs to use it", () => {
  let simulate: Awaited<ReturnType<typeof startSimulate>> | undefined;
  let worker: WorkerProcess | undefined;

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    simulate?.child.kill("SIGTERM");
    await simulate?.result;
    simulate = undefined;
  });

  it("with --tls: a worker started with exactly those lines delivers a job", async () => {
    simulate = await startSimulate(["--tls"]);
    const settings = settingLines(simulate.output());
    expect(Object.keys(settings).sort()).toEqual([
      "AXELNAC_CA_FILE",
      "AXELNAC_PASSWORD",
      "AXELNAC_URL",
      "AXELNAC_USERNAME",
    ]);
    expect(settings.AXELNAC_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const queue = {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniquePrefix("simulate-settings"),
      QUEUE_NAME: `test-${randomUUID()}`,
    };
    worker = new WorkerProcess("worker", {
      PATH: process.env.PATH ?? "",
      LOG_FORMAT: "json",
      ...queue,
      ...settings,
    });
    await worker.ready();
    const enqueued = await runCli(
      ["enqueue", "--pid", "guest-1", "--source-id", "sms"],
      queue,
      "Guest-Pw-1\n",
    );
    expect(enqueued.code).toBe(0);

    const ca = readFileSync(settings.AXELNAC_CA_FILE as string, "utf8");
    const dispatcher = new Agent({ connect: { ca } });
    try {
      await waitUntil(
        async () => {
          const answer = await request(`${settings.AXELNAC_URL}/_simulator/outbox`, {
            dispatcher,
          });
          const { items } = (await answer.body.json()) as { items: { pid: string }[] };
          return items.some((sms) => sms.pid === "guest-1");
        },
        { timeoutMs: 15_000, what: "the SMS of guest-1 in the simulator's outbox" },
      );
    } finally {
      await dispatcher.close();
    }
  }, 60_000);

  it("shows its own demo password, but never one the user chose", async () => {
    simulate = await startSimulate([]);
    expect(settingLines(simulate.output())).toEqual({
      AXELNAC_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
    });
    simulate.child.kill("SIGTERM");
    await simulate.result;

    simulate = await startSimulate([], { AXELNAC_USERNAME: "ops", AXELNAC_PASSWORD: "Env-Pw-81" });
    expect(settingLines(simulate.output())).toMatchObject({
      AXELNAC_USERNAME: "ops",
      AXELNAC_PASSWORD: "<as set in your environment>",
    });
    expect(simulate.output()).not.toContain("Env-Pw-81");
    simulate.child.kill("SIGTERM");
    await simulate.result;

    simulate = await startSimulate(["--password", "Flag-Pw-82"]);
    expect(settingLines(simulate.output()).AXELNAC_PASSWORD).toBe("<as given by --password>");
    expect(simulate.output()).not.toContain("Flag-Pw-82");
  }, 60_000);
});
