import { deliveryReport, expectCleanLogs, guestJobs, guestPassword } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { expectNoSecrets } from "../support/log-sink";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

/** Pids the simulator knows; any other is refused (AXELNAC_GUEST_NOT_FOUND), failing for good. */
const KNOWN = Array.from({ length: 20 }, (_, n) => [`api-guest-${n}`, `+7900000${n}`] as const);

describe("serve: POST and GET /v1/deliveries, delivered by a real worker", () => {
  let deliveries: DeliveryHarness;
  let h: ServeHarness;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    deliveries = await DeliveryHarness.start({ simulator: { guests: new Map(KNOWN) } });
    h = await ServeHarness.start({ deliveries });
    writer = await h.key(["deliveries:write"], "portal");
    reader = await h.key(["deliveries:read"], "help desk");
  });
  afterAll(async () => {
    await h?.close();
    await deliveries?.close();
  });

  it("enqueues one guest (202), stamped with the key's id, and a worker delivers it", async () => {
    const guest = { pid: "api-guest-0", password: guestPassword(), source_id: "sms" };
    const answer = await h.call("POST", "/v1/deliveries", { key: writer, body: guest });
    expect(answer.status).toBe(202);
    const [enqueued] = answer.body.deliveries as { jobId: string; pid: string }[];
    expect(enqueued).toEqual({ jobId: expect.any(String), pid: "api-guest-0", duplicate: false });
    const job = await h.queue.getJob(enqueued?.jobId as string);
    expect(job?.data).toMatchObject({
      pid: "api-guest-0",
      source_id: "sms",
      submitted_by: writer.split(".")[0],
    });

    const waiting = await h.call("GET", `/v1/deliveries/${enqueued?.jobId}`, { key: reader });
    expect(waiting.status).toBe(200);
    expect(waiting.body).toEqual({
      jobId: enqueued?.jobId,
      state: "waiting",
      pid: "api-guest-0",
      submittedBy: writer.split(".")[0],
      attempts: 0,
      enqueuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    await deliveries.fleet.start(1);
    await waitUntil(() => deliveryReport(deliveries.sim, [guest]).delivered === 1, {
      timeoutMs: 30_000,
      what: "the SMS of the guest posted",
    });
    expect(deliveryReport(deliveries.sim, [guest]).wrongPassword).toEqual([]);
  });

  it("enqueues many in one request, in order, and the worker delivers them all", async () => {
    const guests = KNOWN.slice(1, 11).map(([pid]) => ({
      pid,
      password: guestPassword(),
      source_id: "sms",
      reference: `REG-${pid}`,
    }));
    const answer = await h.call("POST", "/v1/deliveries", {
      key: writer,
      body: { deliveries: guests },
    });
    expect(answer.status).toBe(202);
    const enqueued = answer.body.deliveries as { jobId: string; pid: string }[];
    expect(enqueued.map((d) => d.pid)).toEqual(guests.map((g) => g.pid));
    await waitUntil(() => deliveryReport(deliveries.sim, guests).delivered === guests.length, {
      timeoutMs: 30_000,
      what: "the SMS of the ten guests posted",
    });
    // Delivered jobs are removed at once: what is known of them then is the history's record,
    // which the worker writes within a second of the delivery.
    const first = enqueued[0] as { jobId: string };
    let known = await h.call("GET", `/v1/deliveries/${first.jobId}`, { key: reader });
    await waitUntil(
      async () => {
        known = await h.call("GET", `/v1/deliveries/${first.jobId}`, { key: reader });
        return known.body.state === "delivered";
      },
      { what: "the delivered job's history record" },
    );
    expect(known.status).toBe(200);
    expect(await h.queue.getJob(first.jobId)).toBeUndefined();
    expect(known.body).toMatchObject({
      jobId: first.jobId,
      state: "delivered",
      record: {
        jobId: first.jobId,
        pid: guests[0]?.pid,
        reference: guests[0]?.reference,
        outcome: "delivered",
        attempts: 1,
        applianceStatus: 200,
        submittedBy: writer.split(".")[0],
        enqueuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  it("answers a duplicate with the earlier job, writing nothing new", async () => {
    const guest = { pid: "api-guest-11", password: guestPassword(), source_id: "sms" };
    const first = await h.call("POST", "/v1/deliveries", { key: writer, body: guest });
    const again = await h.call("POST", "/v1/deliveries", { key: writer, body: guest });
    const [a] = first.body.deliveries as { jobId: string }[];
    expect(again.status).toBe(202);
    expect(again.body.deliveries).toEqual([
      { jobId: a?.jobId, pid: "api-guest-11", duplicate: true },
    ]);
  });

  it("reports a guest the appliance refuses as failed, with its outcome code", async () => {
    const guest = { pid: "nobody-knows-me", password: guestPassword(), source_id: "sms" };
    const answer = await h.call("POST", "/v1/deliveries", { key: writer, body: guest });
    const [enqueued] = answer.body.deliveries as { jobId: string }[];
    const path = `/v1/deliveries/${enqueued?.jobId}`;
    await waitUntil(
      async () => (await h.call("GET", path, { key: reader })).body.state === "failed",
      { timeoutMs: 30_000, what: "the refused guest's job to fail" },
    );
    const failed = await h.call("GET", path, { key: reader });
    expect(failed.body).toMatchObject({
      state: "failed",
      pid: "nobody-knows-me",
      attempts: 1,
      failure: { code: "AXELNAC_GUEST_NOT_FOUND", message: expect.any(String) },
    });
  });

  it("refuses the whole request when one guest is invalid: 422 by index, nothing enqueued", async () => {
    const before = await h.queue.getJobCountByTypes("waiting", "delayed", "active", "failed");
    const password = guestPassword();
    const answer = await h.call("POST", "/v1/deliveries", {
      key: writer,
      body: {
        deliveries: [
          { pid: "api-guest-12", password: guestPassword(), source_id: "sms" },
          { pid: "bad pid", password, source_id: "sms" },
          { pid: "api-guest-13", password: ` ${password}`, source_id: "sms", submitted_by: "me" },
        ],
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error?.code).toBe("DELIVERY_INVALID");
    expect(answer.body.error?.details).toEqual([
      { index: 1, field: "pid", message: expect.stringMatching(/^AxelNAC accepts only/) },
      { index: 2, field: "submitted_by", message: expect.stringMatching(/^is set by the courier/) },
      { index: 2, field: "password", message: expect.stringMatching(/^must not start or end/) },
    ]);
    expect(answer.text).not.toContain(password);
    expect(await h.queue.getJobCountByTypes("waiting", "delayed", "active", "failed")).toBe(before);
  });

  it.each([
    ["an array", [{ pid: "x" }], /^the body must be a JSON object/],
    ["deliveries that are not an array", { deliveries: {} }, /^deliveries: must be an array/],
    ["no deliveries", { deliveries: [] }, /^deliveries: must hold at least one/],
    [
      "1,001 deliveries",
      { deliveries: guestJobs(1_001) },
      /^deliveries: at most 1000 per request, got 1001/,
    ],
  ])("answers %s with 400 REQUEST_INVALID", async (_, body, message) => {
    const answer = await h.call("POST", "/v1/deliveries", { key: writer, body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({
      code: "REQUEST_INVALID",
      message: expect.stringMatching(message),
    });
  });

  it("answers a body that is not JSON 400, another media type 415", async () => {
    const broken = await h.call("POST", "/v1/deliveries", {
      key: writer,
      raw: { content: '{"password": "guestpw-0123abcd', type: "application/json" },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toEqual({
      code: "REQUEST_INVALID",
      message: "the body is not valid JSON",
    });
    const xml = await h.call("POST", "/v1/deliveries", {
      key: writer,
      raw: { content: "<guest/>", type: "application/xml" },
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers an unknown id 404 DELIVERY_NOT_FOUND", async () => {
    const answer = await h.call("GET", "/v1/deliveries/0f8fad5b-d9cb-469f-a165-70867728950e", {
      key: reader,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe("DELIVERY_NOT_FOUND");
  });

  it("never puts a password or an API key in an answer or a log line", () => {
    const said = h.everythingSaid();
    expectCleanLogs(said, [deliveries.apiPassword]);
    expectNoSecrets(said, [writer.split(".")[1] as string, reader.split(".")[1] as string]);
    expectCleanLogs(deliveries.fleet.output(), [deliveries.apiPassword]);
  });
});
