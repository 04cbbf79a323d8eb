import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import Redis from "ioredis";
import { request } from "undici";
import { readAccountCounts } from "../../src/batches/account-counts";
import { batchKeys } from "../../src/batches/batch-keys";
import { runOnboard } from "../../src/cli/onboard";
import { loadConfig } from "../../src/config/config";
import { historyKeys } from "../../src/history/history-keys";
import { readRecordsOfBatch } from "../../src/history/history-reader";
import type { GuestAccountsJob } from "../../src/jobs/guest-accounts-job";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { registrationRoutesLimitedTo } from "../../src/serve/routes/registration-routes";
import { expectCleanLogs } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { expectNoSecrets } from "../support/log-sink";
import { REPO_ROOT } from "../support/processes";
import { readmeExamples, readmeText } from "../support/readme-examples";
import { registrationExport } from "../support/registrations";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

const EXAMPLE = join(REPO_ROOT, "examples", "event-registrations.csv");

/** README, "Onboarding an event": its command's flags, and the same choices as query parameters. */
const README_FLAGS = [
  ...["--role", "guest", "--valid-from", "2030-06-10T09:00+03:00"],
  ...["--expiration", "2030-06-12T18:00+03:00", "--appliance-time-zone", "Europe/Moscow"],
  ...["--phone-region", "RU", "--source-id", "sms", "--batch", "forum-2030"],
];
const README_QUERY = {
  role: "guest",
  valid_from: "2030-06-10T09:00+03:00",
  expiration: "2030-06-12T18:00+03:00",
  appliance_time_zone: "Europe/Moscow",
  phone_region: "RU",
  source_id: "sms",
  batch: "forum-2030",
};

const path = (query: Record<string, string>) =>
  `/v1/registrations?${new URLSearchParams(query).toString()}`;

const csv = (text: string) => ({ raw: { content: text, type: "text/csv" } });

/** What `onboard FILE --dry-run` prints on stderr for the same file and flags. */
async function onboardSays(file: string, flags: string[]): Promise<string> {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (chunk) => {
    text += chunk;
  });
  await runOnboard(
    [file, "--dry-run", ...flags],
    { stdout: new PassThrough(), stderr },
    loadConfig({}),
  );
  return text;
}

describe("POST /v1/registrations, onboarded by a real worker", () => {
  let deliveries: DeliveryHarness;
  let h: ServeHarness;

  beforeAll(async () => {
    deliveries = await DeliveryHarness.start();
    h = await ServeHarness.start({ deliveries });
  });
  afterAll(async () => {
    await h?.close();
    await deliveries?.close();
  });

  it("onboards the README's example as `onboard` does (3 queued; lines 5, 6 and 7 rejected with its reasons); a worker creates the accounts and sends each guest one SMS, stamped with the key", async () => {
    const desk = await h.key(["registrations:write", "batches:read"], "registration desk");
    const keyId = desk.split(".")[0];
    const answer = await h.call("POST", path(README_QUERY), {
      key: desk,
      ...csv(readFileSync(EXAMPLE, "utf8")),
    });
    expect(answer.status).toBe(202);

    const cliRejects = [
      ...(await onboardSays(EXAMPLE, README_FLAGS)).matchAll(/^line (\d+): (.*)$/gm),
    ];
    expect(cliRejects.map((match) => Number(match[1]))).toEqual([5, 6, 7]);
    expect(answer.body).toEqual({
      batchId: "forum-2030",
      rows: 6,
      enqueued: 3,
      duplicates: 0,
      rejectedCount: 3,
      rejected: cliRejects.map((match) => ({ line: Number(match[1]), reason: match[2] })),
    });
    // README, "Onboarding over HTTP", shows this answer.
    const shown = readmeExamples(readmeText()).filter(
      (example) => example.info === "json" && example.body.includes('"forum-2030"'),
    );
    expect(shown.map((example) => JSON.parse(example.body))).toEqual([answer.body]);
    const jobs = await h.queue.getJobs(["prioritized", "waiting"]);
    expect(jobs.map((job) => (job.data as GuestAccountsJob).submitted_by)).toEqual([keyId]);

    await deliveries.fleet.start(1);
    await waitUntil(() => deliveries.sim.outbox().length >= 3, {
      timeoutMs: 60_000,
      what: "3 SMS",
      describe: () => deliveries.fleet.output().slice(-3_000),
    });
    const outbox = deliveries.sim.outbox();
    expect(outbox.map((sms) => sms.telephone).sort()).toEqual([
      "+79123456789",
      "+79123456790",
      "+79161234567",
    ]);
    expect(outbox.every((sms) => sms.passwordIsCurrent)).toBe(true);
    expect(deliveries.sim.guest("79123456789")).toMatchObject({
      telephone: "+79123456789",
      email: "ivan.ivanov@example.org",
      password: {
        role: "guest",
        validFrom: "2030-06-10 09:00:00",
        expiration: "2030-06-12 18:00:00",
      },
    });
    // Each SMS job carried the uploading key on: the delivery history records it.
    const history = historyKeys(deliveries.keyPrefix, deliveries.queueName);
    await waitUntil(
      async () =>
        (await readRecordsOfBatch(deliveries.redis, history, "forum-2030", 10)).length === 3,
      { what: "3 delivery records" },
    );
    const records = await readRecordsOfBatch(deliveries.redis, history, "forum-2030", 10);
    expect(records.map((record) => record.submittedBy)).toEqual([keyId, keyId, keyId]);

    const keys = batchKeys(deliveries.keyPrefix, deliveries.queueName);
    await waitUntil(
      async () => (await readAccountCounts(deliveries.redis, keys, "forum-2030"))?.pending === 0,
      { what: "no account pending" },
    );
    const status = await h.call("GET", "/v1/batches/forum-2030", { key: desk });
    expect(status.body.accounts).toEqual({
      guests: 3,
      created: 3,
      reset: 0,
      existing: 0,
      refused: 0,
      pending: 0,
    });
    expectCleanLogs(deliveries.fleet.output(), [deliveries.apiPassword]);
  }, 90_000);
});

describe("POST /v1/registrations: keys, choices and files it refuses", () => {
  const LIMIT = 16_384;
  let h: ServeHarness;
  let desk: string;

  beforeAll(async () => {
    h = await ServeHarness.start({
      routes: [registrationRoutesLimitedTo(LIMIT)],
      // One guest a job: 40 rows make a write, so that rows are queued while the body arrives.
      settings: { ONBOARD_GUESTS_PER_JOB: "1" },
    });
    desk = await h.key(["registrations:write"], "registration desk");
  });
  afterAll(async () => {
    await h?.close();
  });

  const queued = async () => (await h.queue.getJobs(["prioritized", "waiting"])).length;
  const good = registrationExport(3, 0, { badRows: false }).csv;

  it("refuses an upload without a key (401), and with a key lacking registrations:write (403)", async () => {
    const anonymous = await h.call("POST", path(README_QUERY), csv(good));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("API_KEY_MISSING");
    const batches = await h.key(["batches:write", "batches:read"], "batch tool");
    const other = await h.call("POST", path(README_QUERY), { key: batches, ...csv(good) });
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe("API_KEY_SCOPE");
    expect(other.body.error?.message).toContain("registrations:write");
    expect(await queued()).toBe(0);
  });

  it.each<[string, Record<string, string>, { field: string; message: string }[]]>([
    [
      "no role",
      { ...README_QUERY, role: "" },
      [{ field: "role", message: "is required: the role the guests get on the appliance" }],
    ],
    [
      "an expiration before valid_from",
      { ...README_QUERY, valid_from: "2030-06-12T18:00+03:00", expiration: "2030-06-10T09:00Z" },
      [{ field: "expiration", message: "must be after valid_from" }],
    ],
    [
      "a duration beside a period, a pid rule, a password length and an empty column name",
      {
        ...README_QUERY,
        access_duration: "3D",
        pid_rule: "badge",
        password_length: "7",
        phone_column: " ",
      },
      [
        { field: "phone_column", message: "the name is empty" },
        { field: "pid_rule", message: '"badge" is not phone or email' },
        { field: "password_length", message: '"7" is not a whole number from 8 to 64' },
        {
          field: "access_duration",
          message: "give either access_duration or valid_from with expiration, not both",
        },
      ],
    ],
  ])(
    "answers 400 REQUEST_INVALID for %s, naming each parameter, before enqueuing anything",
    async (_, query, problems) => {
      const answer = await h.call("POST", path(query), { key: desk, ...csv(good) });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe("REQUEST_INVALID");
      expect(answer.body.error?.details).toEqual(
        problems.map((problem) => ({ in: "querystring", ...problem })),
      );
      for (const { field, message } of problems) {
        expect(answer.body.error?.message).toContain(`${field}: ${message}`);
      }
      expect(await queued()).toBe(0);
    },
  );

  it("answers 422 with onboard's own message for a file without a phone column, enqueuing nothing", async () => {
    const text = "ФИО;Почта\nИванов Иван;ivan@example.org\n";
    const answer = await h.call("POST", path(README_QUERY), { key: desk, ...csv(text) });
    expect(answer.status).toBe(422);
    const message = answer.body.error?.message ?? "";
    expect(message).toMatch(/phone/);
    const dir = mkdtempSync(join(tmpdir(), "registrations-"));
    try {
      const file = join(dir, "no-phone.csv");
      writeFileSync(file, text);
      expect(await onboardSays(file, README_FLAGS)).toContain(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await queued()).toBe(0);
  });

  it("answers 413 over the body limit: at once by its Content-Length, else once past it with the rows read until then queued", async () => {
    const big = registrationExport(300, 1_000, { badRows: false }).csv;
    expect(Buffer.byteLength(big)).toBeGreaterThan(LIMIT);
    const declared = await h.call("POST", path({ ...README_QUERY, batch: "big-declared" }), {
      key: desk,
      ...csv(big),
    });
    expect(declared.status).toBe(413);
    expect(declared.body.error?.code).toBe("API_UPLOAD_TOO_LARGE");
    expect(await queued()).toBe(0);

    // Without a length: 50 rows the server reads and queues (a write per 40 one-guest jobs),
    // then the rest, which passes the limit.
    const lines = big.split("\n");
    const head = `${lines.slice(0, 51).join("\n")}\n`;
    const rest = lines.slice(51).join("\n");
    async function* body() {
      yield head;
      await waitUntil(async () => (await queued()) >= 40, { what: "the first rows queued" });
      yield rest;
    }
    const answer = await request(`${h.url}${path({ ...README_QUERY, batch: "big-streamed" })}`, {
      method: "POST",
      headers: { authorization: `Bearer ${desk}`, "content-type": "text/csv" },
      body: Readable.from(body()),
    });
    const said = (await answer.body.json()) as {
      error: { code: string; details: { enqueued: number; stoppedAtLine: number } };
    };
    expect(answer.statusCode).toBe(413);
    expect(said.error.code).toBe("API_UPLOAD_TOO_LARGE");
    const { enqueued, stoppedAtLine } = said.error.details;
    expect(enqueued).toBeGreaterThanOrEqual(50);
    expect(enqueued).toBeLessThan(300);
    expect(stoppedAtLine).toBeGreaterThan(enqueued + 1);
    const jobs = await h.queue.getJobs(["prioritized", "waiting"]);
    const guests = jobs.flatMap((job) => (job.data as GuestAccountsJob).guests);
    expect(guests).toHaveLength(enqueued);
  });

  it("never says a password or a phone number in an answer or a log line, and logs one line of counts per upload", async () => {
    const data = registrationExport(30, 2_000);
    const answer = await h.call(
      "POST",
      path({ ...README_QUERY, batch: "quiet", password_length: "12" }),
      { key: desk, ...csv(data.csv) },
    );
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ batchId: "quiet", rows: 30, enqueued: 30 });
    const jobs = await h.queue.getJobs(["prioritized", "waiting"]);
    const guests = jobs
      .map((job) => job.data as GuestAccountsJob)
      .filter((job) => job.batch_id === "quiet")
      .flatMap((job) => job.guests);
    const passwords = guests.map((guest) => guest.password ?? "");
    expect(passwords.every((password) => password.length === 12)).toBe(true);
    expectNoSecrets(h.everythingSaid(), passwords);
    expectNoSecrets(h.log.text(), [
      ...guests.map((guest) => guest.telephone),
      ...guests.map((guest) => guest.telephone.slice(2)),
      ...data.rows.map((row) => row.phone),
    ]);
    const lines = h.log.lines().filter((line) => line.msg === "registrations uploaded");
    expect(lines.find((line) => line.batchId === "quiet")).toMatchObject({
      rows: 30,
      enqueued: 30,
      rejected: 0,
      submittedBy: desk.split(".")[0],
    });
  });
});

describe("POST /v1/registrations when Redis refuses to write", () => {
  let redis: PrivateRedis;
  let admin: Redis;
  let h: ServeHarness;

  beforeAll(async () => {
    redis = await startPrivateRedis({ dirPrefix: "courier-registrations-" });
    admin = new Redis(redis.url);
    h = await ServeHarness.start({ settings: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await h?.close();
    admin?.disconnect();
    await redis?.destroy();
  });

  it("answers 503 COURIER_REDIS_REFUSED with what was queued before, and logs the upload's counts", async () => {
    const desk = await h.key(["registrations:write"], "registration desk");
    // The courier's keys stay writable (API keys, the rate limit); the queue's are refused.
    await admin.call(
      "ACL",
      "SETUSER",
      "default",
      "resetkeys",
      "%R~*",
      `~${h.config.redisKeyPrefix}:*`,
    );
    const text = registrationExport(5, 3_000, { badRows: false }).csv;
    const refused = await h.call("POST", path({ ...README_QUERY, batch: "refused" }), {
      key: desk,
      ...csv(text),
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: "COURIER_REDIS_REFUSED",
      message: expect.stringContaining("0 guests were queued before"),
      details: { batchId: "refused", rows: 0, enqueued: 0, rejectedCount: 0 },
    });
    expect(h.log.lines().some((line) => line.msg === "registrations uploaded")).toBe(true);
  });

  it("onboards the next upload once Redis takes writes again, on the same connection", async () => {
    const desk = await h.key(["registrations:write"], "registration desk");
    await admin.call("ACL", "SETUSER", "default", "resetkeys", "~*");
    const text = registrationExport(5, 4_000, { badRows: false }).csv;
    const again = await h.call("POST", path({ ...README_QUERY, batch: "recovered" }), {
      key: desk,
      ...csv(text),
    });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ batchId: "recovered", rows: 5, enqueued: 5 });
    // The private Redis' queue, which serve writes to (the harness' own is the suite's).
    const jobs = await h.server.deps.queue.getJobs(["prioritized", "waiting"]);
    const written = jobs.filter((job) => (job.data as GuestAccountsJob).batch_id === "recovered");
    expect(written.flatMap((job) => (job.data as GuestAccountsJob).guests)).toHaveLength(5);
    const status = await h.call("GET", "/v1/batches/recovered", {
      key: await h.key(["batches:read"]),
    });
    expect(status.body.accounts).toMatchObject({ guests: 5 });
  });
});
