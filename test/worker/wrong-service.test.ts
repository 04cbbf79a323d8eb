/**
 * A 2xx that is not the API's answer (a web page on the wrong port, an empty body from a
 * misconfigured proxy) must never count as a delivery: the fleet pauses with its own code, the jobs
 * wait, and they are delivered once the appliance itself answers again.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep } from "../support/wait";

type Mode = "html" | "empty" | "appliance";

/** Relays everything to the simulator, except sends while `mode` says another service answers. */
async function startFront(
  target: string,
  mode: () => Mode,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const current = mode();
    if (req.url?.endsWith("/send_user_credentials") && current !== "appliance") {
      res.writeHead(200, current === "html" ? { "content-type": "text/html" } : {});
      res.end(
        current === "html" ? "<!DOCTYPE html><html><body><h1>It works!</h1></body></html>" : "",
      );
      return;
    }
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method ?? "GET",
      headers: {
        authorization: req.headers.authorization ?? "",
        "content-type": "application/json",
      },
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("worker: a 2xx from another service than the API", () => {
  let h: DeliveryHarness | undefined;
  let front: Server | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
    front?.close();
    front = undefined;
  });

  it.each<Mode>(["html", "empty"])(
    "a %s 200 is no delivery: the fleet pauses with AXELNAC_WRONG_SERVICE, nothing completes or fails, all go out once the API answers",
    async (wrong) => {
      h = await DeliveryHarness.start();
      let mode: Mode = wrong;
      const started = await startFront(h.sim.url, () => mode);
      front = started.server;
      const jobs = guestJobs(20, `wrong-service-${wrong}`);
      await h.enqueue(jobs);
      await h.fleet.start(1, { AXELNAC_URL: started.url });

      const pause = await h.waitForPause(15_000);
      expect(pause).toMatchObject({ code: "AXELNAC_WRONG_SERVICE" });
      await sleep(1_000);
      const counts = await h.queue.getJobCounts("completed", "failed");
      expect(counts.completed).toBe(0);
      expect(counts.failed).toBe(0);
      expect(h.sim.outbox()).toHaveLength(0);
      const errors = h.fleet.lines().filter((line) => (line.level ?? 0) >= 50);
      expect(errors[0]).toMatchObject({ code: "AXELNAC_WRONG_SERVICE" });
      expect(String(errors[0]?.msg)).toContain("AXELNAC_URL likely points at the wrong service");

      mode = "appliance";
      await waitForAllDelivered(h.sim, h.queue, jobs, 20_000);
      expect((await h.queue.getJobCounts("failed")).failed).toBe(0);
    },
  );
});
