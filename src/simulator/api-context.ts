import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Logger } from "../logging/logger";
import type { AccountDirectory } from "./accounts";
import type { GuestDirectory } from "./guest-directory";
import { trickleJson, writeBody, writeJson, writeText } from "./http-io";
import type { Outbox } from "./outbox";
import type { SessionTable } from "./sessions";
import type { StatsRecorder } from "./stats";
import type { Faults } from "./types";

/** What the API handlers share: the appliance's state, and nothing about HTTP plumbing. */
export interface ApiContext {
  accounts: AccountDirectory;
  tokens: SessionTable;
  guests: GuestDirectory;
  sources: ReadonlySet<string> | undefined;
  outbox: Outbox;
  stats: StatsRecorder;
  faults(): Faults;
  random(): number;
  logger: Logger;
}

export interface ApiRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How an API handler answers; every status it writes is counted in the stats. */
export class ApiReply {
  constructor(
    private readonly res: ServerResponse,
    private readonly stats: StatsRecorder,
  ) {}

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.stats.response(status);
    writeJson(this.res, status, body, headers);
  }

  /** A body sent as text/plain even when it is JSON, as some appliance errors come. */
  text(status: number, text: string): void {
    this.stats.response(status);
    writeText(this.res, status, text);
  }

  /** An HTML page, as a proxy in front of the API answers with its own error pages. */
  html(status: number, page: string): void {
    this.stats.response(status);
    writeBody(this.res, status, page, "text/html", {});
  }

  /** Answers at once, but sends the body one byte every `intervalMs`. */
  trickle(status: number, body: unknown, intervalMs: number): void {
    this.stats.response(status);
    trickleJson(this.res, status, body, intervalMs);
  }

  /** Drops the connection without answering. */
  reset(): void {
    this.res.socket?.destroy();
  }

  /**
   * Never answers. The request stays open until the client gives up or the simulator closes;
   * until then it holds its place at the gate, as a stuck appliance worker would.
   */
  hang(): void {}
}

export type ApiHandler = (context: ApiContext, request: ApiRequest, reply: ApiReply) => void;
