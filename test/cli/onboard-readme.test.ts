/**
 * The README's "Onboarding an event" runs as written: its commands, on its example file, print
 * what it shows, and the file it shows is the example file.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QUEUE_TARGET_LINE, runCli } from "../support/cli";
import { DeliveryHarness } from "../support/delivery-harness";
import { REPO_ROOT } from "../support/processes";
import { waitUntil } from "../support/wait";

/** The fenced blocks of the README section `heading`, in order, each as its text. */
function sectionBlocks(heading: string): string[] {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```\w*\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

/** A shell command line of the README as arguments: continuations joined, `npx axelnac-courier` dropped. */
function commandArgs(line: string): string[] {
  const words = line.trim().split(/\s+/);
  expect(words.slice(0, 2)).toEqual(["npx", "axelnac-courier"]);
  return words.slice(2);
}

describe("README, Onboarding an event", () => {
  const [commands, example, onboardOutput, statusOutput] = sectionBlocks("Onboarding an event");
  let h: DeliveryHarness | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await h?.fleet.killAll();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the example file as it is", () => {
    const file = readFileSync(join(REPO_ROOT, "examples", "event-registrations.csv"), "utf8");
    expect(example).toBe(file);
  });

  it("its commands print what it shows, and status shows the batch done", async () => {
    const [onboard, status] = (commands as string)
      .replace(/\\\n\s*/g, "")
      .trim()
      .split("\n")
      .map(commandArgs);
    h = await DeliveryHarness.start();
    dir = mkdtempSync(join(tmpdir(), "onboard-readme-"));
    cpSync(join(REPO_ROOT, "examples"), join(dir, "examples"), { recursive: true });
    await h.fleet.start(1);

    const result = await runCli(onboard as string[], h.workerEnv(), undefined, { cwd: dir });
    expect(result.code).toBe(1);
    // The README shows the line naming Redis and the queue as a default setup names them.
    const stderr = result.stderr.replace(
      QUEUE_TARGET_LINE,
      "redis 127.0.0.1:6379 db 0 (no TLS), queue axelnac-credentials\n",
    );
    expect(`${stderr}${result.stdout}`).toBe(onboardOutput);

    // `status --watch` on a pipe prints a line per read until the batch is done; the README
    // shows the batch once done, as `status` prints it.
    expect(status).toEqual(["status", "--batch", "forum-2030", "--watch"]);
    const watched = await runCli(status as string[], h.workerEnv(), undefined, { cwd: dir });
    expect(watched.code).toBe(0);
    await waitUntil(async () => (await h?.queue.count()) === 0, { what: "an empty queue" });
    const done = await runCli(["status", "--batch", "forum-2030"], h.workerEnv());
    expect(done.stdout).toBe(statusOutput);
    expect(
      h.sim
        .outbox()
        .map((sms) => sms.telephone)
        .sort(),
    ).toEqual(["+79123456789", "+79123456790", "+79161234567"]);
  }, 60_000);
});
