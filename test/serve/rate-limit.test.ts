import { type RunningServer, startServer } from "../../src/serve/server";
import { captureLog } from "../support/log-sink";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

const LIMIT = 3;

describe("serve: the per-key rate limit", () => {
  let h: ServeHarness;
  let second: RunningServer | undefined;
  beforeAll(async () => {
    h = await ServeHarness.start({
      settings: { API_RATE_LIMIT: String(LIMIT), API_RATE_LIMIT_WINDOW: "5s" },
    });
  });
  afterAll(async () => {
    await second?.stop();
    await h?.close();
  });

  it("answers 429 RATE_LIMITED with Retry-After past API_RATE_LIMIT, then lets the key in again", async () => {
    const key = await h.key(["deliveries:read"]);
    const path = "/v1/deliveries/none";
    // A window of 5 s: these four requests fall in one, however loaded the machine.
    // Every request of the window counts, whatever its answer (404 here).
    let answer = await h.call("GET", path, { key });
    for (let n = 1; n < LIMIT; n++) answer = await h.call("GET", path, { key });
    expect(answer.status).toBe(404);
    const limited = await h.call("GET", path, { key });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringMatching(/^more than 3 requests in 5s: retry in /),
    });
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    await waitUntil(async () => (await h.call("GET", path, { key })).status === 404, {
      timeoutMs: 20_000,
      intervalMs: 500,
      what: "the key to be let in again once its window has passed",
    });
  });

  it("counts each key on its own", async () => {
    const busy = await h.key(["deliveries:read"]);
    const other = await h.key(["deliveries:read"]);
    const statuses: number[] = [];
    for (let n = 0; n <= LIMIT; n++) {
      statuses.push((await h.call("GET", "/v1/deliveries/none", { key: busy })).status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect((await h.call("GET", "/v1/deliveries/none", { key: other })).status).toBe(404);
  });

  it("shares the count between the instances of serve on one Redis", async () => {
    second = await startServer(h.config, captureLog().logger);
    const key = await h.key(["deliveries:read"]);
    const statuses: number[] = [];
    for (let n = 0; n <= LIMIT; n++) {
      const target = n % 2 === 0 ? h.url : second.url;
      const answer = await fetch(`${target}/v1/deliveries/none`, {
        headers: { authorization: `Bearer ${key}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
  });

  it("counts requests without a key by client address", async () => {
    let last = 0;
    for (let n = 0; n <= LIMIT; n++) last = (await h.call("GET", "/openapi.json")).status;
    expect(last).toBe(429);
  });
});
