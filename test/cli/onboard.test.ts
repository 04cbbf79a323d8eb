import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAccountCounts } from "../../src/batches/account-counts";
import { batchKeys } from "../../src/batches/batch-keys";
import { runCli } from "../support/cli";
import { expectCleanLogs } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { registrationExport } from "../support/registrations";
import { waitUntil } from "../support/wait";

const ONBOARD_FLAGS = [
  "--role",
  "guest",
  "--valid-from",
  "2030-06-10T09:00+03:00",
  "--expiration",
  "2030-06-12T18:00+03:00",
  "--appliance-time-zone",
  "Europe/Moscow",
  "--phone-region",
  "RU",
  "--source-id",
  "sms",
];

describe("onboard: an event's registration export becomes guest accounts, each sent its password", () => {
  let h: DeliveryHarness | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "onboard-"));
  });
  afterEach(async () => {
    await h?.fleet.killAll();
    await h?.close();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function counts(batch: string) {
    const harness = h as DeliveryHarness;
    return readAccountCounts(harness.redis, batchKeys(harness.keyPrefix, harness.queueName), batch);
  }

  async function settled(batch: string, sms: number) {
    await waitUntil(
      async () => (h?.sim.outbox().length ?? 0) >= sms && (await counts(batch))?.pending === 0,
      {
        timeoutMs: 60_000,
        what: `${sms} SMS and no account pending`,
        describe: () => h?.fleet.output().slice(-3_000),
      },
    );
    await waitUntil(
      async () =>
        (await h?.queue.getActiveCount()) === 0 &&
        (await h?.queue.getWaitingCount()) === 0 &&
        (await h?.queue.getPrioritizedCount()) === 0,
      { what: "an idle queue" },
    );
  }

  it("1,000 registrations: bad rows rejected by line, every other guest created with its E.164 phone, role and validity, one SMS each with the password the appliance holds; the fixed rejects onboard; a re-run creates and sends nothing", async () => {
    h = await DeliveryHarness.start();
    const env = h.workerEnv();
    const data = registrationExport(1_000);
    const file = join(dir, "registrations.csv");
    const rejects = join(dir, "rejects.csv");
    writeFileSync(file, data.csv);
    await h.fleet.start(2);

    const first = await runCli(
      ["onboard", file, ...ONBOARD_FLAGS, "--batch", "forum", "--rejects", rejects],
      env,
    );
    expect(first.stdout).toBe(
      `batch forum: 1000 rows, ${data.e164.size} guests queued, ${data.bad.size} rejected\n`,
    );
    expect(first.code).toBe(1);
    for (const [index, word] of data.bad) {
      expect(first.stderr).toMatch(new RegExp(`^line ${index + 2}: .*${word}`, "m"));
    }
    await settled("forum", data.e164.size);

    const outbox = h.sim.outbox();
    expect(outbox).toHaveLength(data.e164.size);
    expect(new Set(outbox.map((sms) => sms.pid)).size).toBe(data.e164.size);
    expect(outbox.every((sms) => sms.passwordIsCurrent)).toBe(true);
    for (const [index, e164] of data.e164) {
      const pid = e164.slice(1);
      const row = data.rows[index];
      const guest = h.sim.guest(pid);
      expect(guest).toMatchObject({
        telephone: e164,
        email: row?.email,
        company: row?.company,
        password: {
          role: "guest",
          validFrom: "2030-06-10 09:00:00",
          expiration: "2030-06-12 18:00:00",
        },
      });
      expect(`${guest?.lastname} ${guest?.firstname}`).toBe(row?.name);
      expect(outbox.find((sms) => sms.pid === pid)?.telephone).toBe(e164);
    }
    expect(await counts("forum")).toEqual({
      guests: data.e164.size,
      created: data.e164.size,
      reset: 0,
      existing: 0,
      refused: 0,
      pending: 0,
    });

    // The organiser fixes the rejects file (a mobile number for each, an ASCII address) and onboards it.
    const fixed = readFileSync(rejects, "utf8")
      .replace(
        /8 \(495\) 123-\d\d-\d\d/g,
        (_, offset: number) => `+7 999 ${String(offset).padStart(7, "0").slice(-7)}`,
      )
      .replace(
        /"?8 912 345"?/g,
        (_, offset: number) => `+7 998 ${String(offset).padStart(7, "0").slice(-7)}`,
      )
      .replace(/гость(\d+)@пример\.рф/g, "guest$1@example.ru");
    const fixedFile = join(dir, "fixed.csv");
    writeFileSync(fixedFile, fixed);
    const second = await runCli(["onboard", fixedFile, ...ONBOARD_FLAGS, "--batch", "forum"], env);
    // The repeated person is in this file once: queued, found existing, sent nothing again.
    expect(second.stdout).toBe(
      `batch forum: ${data.bad.size} rows, ${data.bad.size} guests queued, 0 rejected\n`,
    );
    expect(second.code).toBe(0);
    await settled("forum", data.e164.size + data.bad.size - 1);
    expect(h.sim.outbox().every((sms) => sms.passwordIsCurrent)).toBe(true);
    expect(h.sim.outbox()).toHaveLength(data.e164.size + data.bad.size - 1);
    expect(await counts("forum")).toMatchObject({
      guests: data.e164.size + data.bad.size - 1,
      created: data.e164.size + data.bad.size - 1,
      existing: 0,
      pending: 0,
    });

    // A re-run of the whole file: nobody created, nobody sent anything.
    const sent = h.sim.outbox().length;
    const again = await runCli(["onboard", file, ...ONBOARD_FLAGS, "--batch", "forum-again"], env);
    expect(again.code).toBe(1);
    await settled("forum-again", sent);
    expect(h.sim.outbox()).toHaveLength(sent);
    expect(await counts("forum-again")).toMatchObject({
      created: 0,
      existing: data.e164.size,
      pending: 0,
    });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 180_000);
});
