import { Client, request } from "undici";
import type { RoutePlugin } from "../../src/serve/route-plugin";
import { ROUTE_PLUGINS } from "../../src/serve/routes";
import { waitUntil } from "../support/wait";
import { ServeHarness } from "./serve-harness";

describe("serve: stopping", () => {
  it("sets `stopping`, refuses new API requests 503 SERVER_STOPPING, and lets the one in flight finish", async () => {
    let entered = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: RoutePlugin = async (app) => {
      app.get("/test/slow", { config: { scope: "deliveries:read" } }, async () => {
        entered = true;
        await released;
        return { finished: true };
      });
    };
    const h = await ServeHarness.start({ routes: [...ROUTE_PLUGINS, slow] });
    try {
      const key = await h.key(["deliveries:read"]);
      const authorization = `Bearer ${key}`;
      // Two requests on one connection (HTTP/1.1 pipelining): the second is read once the first
      // is answered, by then after the stop; a new connection is not accepted at all.
      const connection = new Client(h.url, { pipelining: 2 });
      const inFlight = connection.request({
        method: "GET",
        path: "/test/slow",
        headers: { authorization },
      });
      await waitUntil(() => entered, { what: "the slow request to reach its handler" });
      const next = connection.request({
        method: "GET",
        path: "/v1/deliveries/any",
        headers: { authorization },
      });

      let stopped = false;
      const stopping = h.server.stop().then(() => {
        stopped = true;
      });
      expect(h.server.deps.lifecycle.stopping).toBe(true);
      await expect(request(`${h.url}/openapi.json`)).rejects.toThrow();
      expect(stopped).toBe(false);

      release();
      const answer = await inFlight;
      expect(answer.statusCode).toBe(200);
      expect(await answer.body.json()).toEqual({ finished: true });
      const refused = await next;
      expect(refused.statusCode).toBe(503);
      expect(refused.headers.connection).toBe("close");
      expect(await refused.body.json()).toEqual({
        error: {
          code: "SERVER_STOPPING",
          message: "this server is shutting down: send the request again",
        },
      });
      await stopping;
      expect(stopped).toBe(true);
      await connection.close();
    } finally {
      release();
      await h.close();
    }
  });
});
