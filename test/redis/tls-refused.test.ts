import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { RedisTarget } from "../../src/config/redis-target";
import { connectRedis } from "../../src/redis/connection";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { createRedisTlsMaterial, type RedisTlsMaterial } from "../support/redis-tls";
import { sleep, waitUntil } from "../support/wait";

/**
 * The courier's side of TLS is never relaxed: Redis' certificate must chain to REDIS_CA_FILE, and
 * a Redis that asks for a client certificate gets none unless REDIS_CERT_FILE and REDIS_KEY_FILE
 * give one. Each refusal is said once, with the URL's password hidden.
 */
describe("a TLS Redis the courier cannot or must not trust", () => {
  let pems: RedisTlsMaterial;
  let stranger: RedisTlsMaterial;
  let server: PrivateRedis;
  let admin: Redis;
  const connections: Redis[] = [];
  const PASSWORD = `courier-${randomUUID()}`;
  /** The server's URL with a user in it, as REDIS_URL carries one. */
  const userUrl = () => server.url.replace("rediss://", `rediss://courier:${PASSWORD}@`);

  beforeAll(async () => {
    [pems, stranger] = await Promise.all([createRedisTlsMaterial(), createRedisTlsMaterial()]);
    server = await startPrivateRedis({
      dirPrefix: "courier-tls-refused-",
      tls: { ...pems.server, ca: pems.ca.cert, requiredClientCertificate: pems.client },
    });
    admin = new Redis(server.url, { tls: { ca: pems.ca.cert, ...pems.client } });
    await admin.call("ACL", "SETUSER", "courier", "on", `>${PASSWORD}`, "~*", "+@all");
  });

  afterAll(async () => {
    for (const redis of connections) redis.disconnect();
    // ioredis gives a connection's last socket 2 s to close, and a refused one has closed already:
    // its timer would outlive the file.
    await sleep(2_100);
    admin?.disconnect();
    await server?.destroy();
    pems?.remove();
    stranger?.remove();
  });

  /** Connects as the courier does, and returns what it logged once the connection gave up or got through. */
  async function attempt(tls: RedisTarget["tls"], url = userUrl()) {
    const log = captureLog("info");
    const redis = connectRedis({ url, tls }, log.logger, "test");
    connections.push(redis);
    await waitUntil(() => redis.status === "ready" || log.lines().length > 0, {
      what: "the connection's outcome",
    });
    expectNoSecrets(log.text(), [PASSWORD]);
    return { redis, lines: log.lines() };
  }

  it("gets through with the CA and the client certificate", async () => {
    const { redis, lines } = await attempt({ ca: pems.ca.cert, ...pems.client });
    expect(lines).toEqual([]);
    expect(await redis.exists("axelnac-courier:tls-check")).toBe(0);
    const clients = String(await admin.call("CLIENT", "LIST"));
    expect(clients).toMatch(/ name=axelnac-courier:test .* user=courier /);
  });

  it("refuses a Redis whose certificate another CA signed", async () => {
    const { redis, lines } = await attempt({ ca: stranger.ca.cert, ...pems.client });
    expect(redis.status).not.toBe("ready");
    expect(lines).toEqual([
      expect.objectContaining({
        redis: expect.stringMatching(/^rediss:\/\/courier:\*\*\*@127\.0\.0\.1:\d+/),
        msg: expect.stringMatching(/^Redis unreachable \(.*certificate.*\); reconnecting$/),
      }),
    ]);
  });

  it("refuses it with no CA file too: Node's own CA list does not know a private CA", async () => {
    const { redis, lines } = await attempt(undefined);
    expect(redis.status).not.toBe("ready");
    expect(lines).toEqual([expect.objectContaining({ msg: expect.stringMatching(/certificate/) })]);
  });

  it("is refused by a Redis that wants a client certificate when given none", async () => {
    const { redis, lines } = await attempt({ ca: pems.ca.cert });
    expect(redis.status).not.toBe("ready");
    expect(lines).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^Redis unreachable \(/) }),
    ]);
  });

  it("serves nothing in the clear: a redis:// connection to its port gets nowhere", async () => {
    const plain = userUrl().replace(/^rediss:/, "redis:");
    const { redis, lines } = await attempt(undefined, plain);
    expect(redis.status).not.toBe("ready");
    expect(lines).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^Redis unreachable \(/) }),
    ]);
  });
});
