import { type Dispatcher, request } from "undici";
import type { Simulator } from "../../src/simulator/index";

/** A plain HTTP client for the simulator tests: undici directly, never the project's client. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON whatever its Content-Type, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export async function call(
  sim: Simulator | string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const base = typeof sim === "string" ? sim : sim.url;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await request(`${base}${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    dispatcher: options.dispatcher,
    signal: options.signal,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export async function login(
  sim: Simulator,
  username = "admin",
  password = "admin",
): Promise<string> {
  const answer = await call(sim, "/api/v1/login", { body: { username, password } });
  if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${answer.text}`);
  return (answer.json as { token: string }).token;
}

export const SEND_PATH = "/api/v1/sms_gateways/send_user_credentials";

export function send(
  sim: Simulator,
  token: string,
  args: Record<string, unknown>,
  options: CallOptions = {},
): Promise<Answer> {
  return call(sim, SEND_PATH, { ...options, token, body: { args } });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds: the server may learn of a closed socket after the client. */
export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}
