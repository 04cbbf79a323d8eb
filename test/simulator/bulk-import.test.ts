import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, send, waitFor } from "./http";

const PATH = "/api/v1/users/bulk_import";
const actions = [
  { type: "set_role", value: "guest" },
  { type: "set_access_duration", value: "3D" },
];

describe("simulator: POST /api/v1/users/bulk_import, as PacketFence's Users controller does it", () => {
  let sim: Simulator;
  let token: string;
  const bulk = async (body: unknown) => call(sim, PATH, { token, body });

  beforeEach(async () => {
    sim = await startSimulator({
      port: 0,
      guests: new Map([["existing", "+79990000009"]]),
      accounts: [{ username: "reader", password: "reader-pw", adminActions: ["USERS_READ"] }],
    });
    token = await login(sim);
  });
  afterEach(() => sim.close());

  it("creates a guest, makes up a password when none is given, and sends SMS to the stored telephone", async () => {
    const answer = await bulk({
      items: [
        {
          pid: "Ivan.Petrov",
          firstname: "Иван",
          lastname: "Петров",
          email: "ivan.petrov@mail.example.ru",
          telephone: "+79123456789",
          company: "ООО Ромашка",
          valid_from: "2026-12-01 00:00:00",
          expiration: "2026-12-04 00:00:00",
          actions,
        },
      ],
    });
    expect(answer.status).toBe(200);
    const { items, status } = answer.json as { items: Record<string, unknown>[]; status: number };
    expect(status).toBe(200);
    expect(items).toHaveLength(1);
    const [result] = items;
    expect(result).toMatchObject({
      status: 200,
      isNew: true,
      item: { pid: "Ivan.Petrov", sponsor: "admin" },
    });
    const password = result?.password as string;
    expect(password).toMatch(/^[a-z]{8}$/);

    expect(sim.guest("ivan.petrov")).toMatchObject({
      pid: "Ivan.Petrov",
      telephone: "+79123456789",
      firstname: "Иван",
      company: "ООО Ромашка",
      sponsor: "admin",
      password: {
        fingerprint: sim.fingerprint(password),
        validFrom: "2026-12-01 00:00:00",
        expiration: "2026-12-04 00:00:00",
        role: "guest",
        accessDuration: "3D",
      },
    });

    await send(sim, token, { pid: "ivan.petrov", password, source_id: "sms" });
    await send(sim, token, { pid: "Ivan.Petrov", password: "stale-password", source_id: "sms" });
    expect(
      sim.outbox().map(({ telephone, passwordIsCurrent }) => ({ telephone, passwordIsCurrent })),
    ).toEqual([
      { telephone: "+79123456789", passwordIsCurrent: true },
      { telephone: "+79123456789", passwordIsCurrent: false },
    ]);
  });

  it("replaces the password of a guest that exists, unless ignoreUpdateIfExists asks to skip it", async () => {
    const first = await bulk({
      items: [{ pid: "bob", password: "first-Pass-1", telephone: "+79990000001", actions }],
    });
    expect((first.json as { items: unknown[] }).items[0]).toMatchObject({
      status: 200,
      isNew: true,
      password: "first-Pass-1",
    });

    const again = await bulk({ items: [{ pid: "BOB", actions }] });
    const replaced = (again.json as { items: Record<string, unknown>[] }).items[0];
    expect(replaced).toMatchObject({ status: 200, isNew: false });
    expect(sim.guest("bob")?.password?.fingerprint).toBe(
      sim.fingerprint(replaced?.password as string),
    );
    expect(sim.guest("bob")?.telephone).toBe("+79990000001");

    const skipped = await bulk({
      items: [{ pid: "bob", password: "third-Pass-3", actions }],
      ignoreUpdateIfExists: true,
    });
    expect((skipped.json as { items: unknown[] }).items[0]).toMatchObject({
      status: 409,
      message: "Skip already exists",
      isNew: false,
    });
    expect(sim.guest("bob")?.password?.fingerprint).toBe(
      sim.fingerprint(replaced?.password as string),
    );
  });

  it("counts a guest of the guest list as existing, and skips a new one under ignoreInsertIfNotExists", async () => {
    const answer = await bulk({
      items: [
        { pid: "existing", actions },
        { pid: "newcomer", actions },
      ],
      ignoreInsertIfNotExists: true,
    });
    const [kept, skipped] = (answer.json as { items: Record<string, unknown>[] }).items;
    expect(kept).toMatchObject({ status: 200, isNew: false });
    expect(skipped).toMatchObject({ status: 404, message: "Skip does not exists", isNew: true });
    expect(sim.guest("newcomer")).toBeUndefined();
    expect(sim.guest("existing")?.telephone).toBe("+79990000009");
  });

  it("refuses bad items 422 with their errors and goes on, or stops at the first with stopOnFirstError", async () => {
    const items = [
      { pid: "good-1", actions },
      { pid: "admin", email: "a+b@mail.example.org", actions },
      { pid: "good-2", actions },
      { pid: "Иван", actions },
    ];
    const going = (await bulk({ items })).json as { items: Record<string, unknown>[] };
    expect(going.items.map((r) => r.status)).toEqual([200, 422, 200, 422]);
    expect(going.items[1]).toEqual({
      item: items[1],
      errors: [
        { field: "pid", message: "admin cannot be updated via bulk import" },
        { field: "email", message: "invalid format" },
      ],
      message: "Cannot save user",
      status: 422,
    });

    const stopping = (
      await bulk({ items: [{ pid: "good-3", actions }, ...items.slice(1)], stopOnFirstError: true })
    ).json as { items: Record<string, unknown>[] };
    expect(stopping.items.map((r) => r.status)).toEqual([200, 422, 424, 424]);
    expect(stopping.items[2]).toEqual({ item: items[2], status: 424, message: "Skipped" });
    expect(stopping.items[3]).toMatchObject({
      status: 424,
      message: "Skipped",
      errors: [{ field: "pid", message: "Invalid PID (Иван)" }],
    });
    expect(sim.guest("good-2")).toBeDefined();
  });

  it("dies with a 500 on an item without actions, after the items before it and that person were saved", async () => {
    const answer = await bulk({
      items: [
        { pid: "before", actions },
        { pid: "without-actions", telephone: "+7999" },
        { pid: "after", actions },
      ],
    });
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      message: "Can't use an undefined value as an ARRAY reference",
      status: 500,
    });
    expect(sim.guest("before")?.password).toBeDefined();
    expect(sim.guest("without-actions")).toMatchObject({ telephone: "+7999" });
    expect(sim.guest("without-actions")?.password).toBeUndefined();
    expect(sim.guest("after")).toBeUndefined();
  });

  it("answers an empty list, a body it cannot parse, and a body that is not an object", async () => {
    expect((await bulk({})).json).toEqual({ items: [], status: 200 });
    expect((await bulk({ items: [] })).json).toEqual({ items: [], status: 200 });
    const bad = await call(sim, PATH, { token, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      message: "Bad Request. One of the submitted parameters has an invalid format",
      status: 400,
    });
    expect((await bulk([1])).status).toBe(500);
    expect((await bulk({ items: ["alice"] })).status).toBe(500);
  });

  it("holds an API worker for bulkImportItemMs per item: a send waits behind a long import", async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, maxConcurrent: 1 });
    token = await login(sim);
    sim.setFaults({ bulkImportItemMs: 100 });
    const items = Array.from({ length: 5 }, (_, n) => ({
      pid: `guest-${n}`,
      telephone: `+7999000000${n}`,
      actions,
    }));
    let imported = false;
    const importing = bulk({ items }).then((answer) => {
      imported = true;
      return answer;
    });
    await waitFor(() => sim.stats().inFlight === 1);
    const sent = await send(sim, token, {
      pid: "guest-0",
      password: "pw-123456",
      source_id: "sms",
    });
    // The send got the only API worker after the import let go of it.
    expect(imported).toBe(true);
    expect(sent.status).toBe(200);
    expect(sim.stats().peakServing).toBe(1);
    expect(((await importing).json as { items: unknown[] }).items).toHaveLength(5);
  });

  it("needs USERS_CREATE: an account without it is refused 403 and nothing is created", async () => {
    const readerToken = await login(sim, "reader", "reader-pw");
    const answer = await call(sim, PATH, {
      token: readerToken,
      body: { items: [{ pid: "x", actions }] },
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      message: "Unauthorized access, lacking the USERS_CREATE administrative role",
    });
    expect(sim.guest("x")).toBeUndefined();
  });
});
