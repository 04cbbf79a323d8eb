import { guestPassword } from "../support/deliveries";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

/**
 * The batch routes as `serve` mounts them, behind its authentication: the routes' own behaviour
 * is tested in batch-upload and batch-deliveries on the routes alone.
 */
describe("serve: the batch routes behind API keys", () => {
  let h: ServeHarness;

  beforeAll(async () => {
    h = await ServeHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const csv = (rows: number) =>
    [
      "pid,password,reference",
      ...Array.from({ length: rows }, (_, n) => `fair-guest-${n},${guestPassword()},REG-${n}`),
    ].join("\n");

  it("takes a CSV upload with a batches:write key, stamps its jobs with the key, and reports the batch", async () => {
    const writer = await h.key(["batches:write", "batches:read"], "registration desk");
    const upload = await h.call("POST", "/v1/batches?batch=fair-2026&source_id=sms", {
      key: writer,
      raw: { content: csv(5), type: "text/csv" },
    });
    expect(upload.status).toBe(202);
    expect(upload.body).toMatchObject({ batchId: "fair-2026", enqueued: 5 });
    const jobs = await h.queue.getJobs(["waiting", "prioritized"]);
    expect(jobs).toHaveLength(5);
    for (const job of jobs) expect(job.data.submitted_by).toBe(writer.split(".")[0]);

    let status = await h.call("GET", "/v1/batches/fair-2026", { key: writer });
    await waitUntil(
      async () => {
        status = await h.call("GET", "/v1/batches/fair-2026", { key: writer });
        return status.status === 200;
      },
      { what: "the batch's status" },
    );
    expect(JSON.stringify(status.body)).toContain("fair-2026");
    expect(h.everythingSaid()).not.toMatch(/password/i);
  });

  it("refuses an upload without a key (401), and with a key lacking batches:write (403)", async () => {
    const reader = await h.key(["batches:read"], "help desk");
    const body = { raw: { content: csv(1), type: "text/csv" } };
    const anonymous = await h.call("POST", "/v1/batches?batch=fair-2027", body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("API_KEY_MISSING");
    const readOnly = await h.call("POST", "/v1/batches?batch=fair-2027", { ...body, key: reader });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error?.code).toBe("API_KEY_SCOPE");
    expect((await h.call("GET", "/v1/batches/fair-2027", { key: reader })).status).toBe(404);
  });
});
