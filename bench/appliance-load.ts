import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";

/** What the appliance served in a window: requests by kind, and how busy its API workers were. */
export interface ApplianceLoad {
  bulkImports: number;
  sends: number;
  /** login and token_info: answered by the front end, they hold no API worker. */
  frontEnd: number;
  other: number;
  /** Time-average share of the API workers (the simulator's gate) that were serving, 0..1. */
  busyShare: number;
}

interface RequestStart {
  request: IncomingMessage;
  response: ServerResponse;
}

const FRONT_END_PATHS = new Set(["/api/v1/login", "/api/v1/token_info"]);

/**
 * Watches the in-process simulator's HTTP server from outside it, through Node's
 * `http.server.request.start` channel, so that the bench counts bulk_import requests and measures
 * the appliance's busy share without a change to the simulator. The gate serves any request the
 * front end forwards as soon as a worker is free, so the workers serving at any moment are
 * min(forwarded requests open, capacity); a request's turn ends when its response closes.
 */
export class ApplianceLoadMeter {
  #counts = { bulkImports: 0, sends: 0, frontEnd: 0, other: 0 };
  #open = 0;
  #busySlotMs = 0;
  #since = performance.now();
  #windowStart = performance.now();

  constructor(readonly capacity: number) {
    subscribe("http.server.request.start", (message) => {
      this.#started(message as RequestStart);
    });
  }

  /** Starts a new window: counts and busy time from now on. */
  reset(): void {
    this.#advance();
    this.#counts = { bulkImports: 0, sends: 0, frontEnd: 0, other: 0 };
    this.#busySlotMs = 0;
    this.#windowStart = performance.now();
  }

  /** The window so far. */
  read(): ApplianceLoad {
    this.#advance();
    const windowMs = performance.now() - this.#windowStart;
    return {
      ...this.#counts,
      busyShare: windowMs > 0 ? this.#busySlotMs / (this.capacity * windowMs) : 0,
    };
  }

  #started({ request, response }: RequestStart): void {
    const path = (request.url ?? "").split("?")[0] ?? "";
    if (FRONT_END_PATHS.has(path)) {
      this.#counts.frontEnd += 1;
      return;
    }
    if (path === "/api/v1/users/bulk_import") this.#counts.bulkImports += 1;
    else if (path === "/api/v1/sms_gateways/send_user_credentials") this.#counts.sends += 1;
    else this.#counts.other += 1;
    this.#advance();
    this.#open += 1;
    response.once("close", () => {
      this.#advance();
      this.#open -= 1;
    });
  }

  /** Adds the busy time since the last change in the number of open requests. */
  #advance(): void {
    const now = performance.now();
    this.#busySlotMs += Math.min(this.#open, this.capacity) * (now - this.#since);
    this.#since = now;
  }
}
