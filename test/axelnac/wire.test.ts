/**
 * What the client puts on the wire, and the answers the simulator does not give (403, Unknown path,
 * a token-less login, a proxy echoing the request…), against a scripted HTTP server on a real
 * socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AccessDeniedError,
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  AxelnacClient,
  type AxelnacError,
  EndpointMissingError,
  RequestRejectedError,
  ThrottledError,
  UnexpectedResponseError,
  WrongServiceError,
} from "../../src/axelnac";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
type Script = (req: Seen, res: ServerResponse) => void;

const TOKEN = "ab".repeat(32);
const guest = { pid: "dave", password: "dave-Pa55word", source_id: "sms-source" };

describe("AxelnacClient on the wire", () => {
  let server: Server;
  let url: string;
  let script: Script;
  const seen: Seen[] = [];
  let client: AxelnacClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const request = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        seen.push(request);
        script(request, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new AxelnacClient({ url, requestTimeoutMs: 300 });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const answer =
    (status: number, body: unknown, headers: Record<string, string> = {}): Script =>
    (_req, res) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };

  it("logs in with POST /api/v1/login and a JSON {username, password}", async () => {
    script = answer(200, { token: TOKEN });
    await expect(client.login({ username: "api", password: "api-Pa55" })).resolves.toBe(TOKEN);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/v1/login" });
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ username: "api", password: "api-Pa55" });
  });

  it('sends "Authorization: Bearer <token>" (capital B) and exactly {"args":{pid,password,source_id}}', async () => {
    script = answer(200, { message: "Successfully sent", status: 200 });
    await expect(client.sendUserCredentials(guest, TOKEN)).resolves.toEqual({
      status: 200,
      message: "Successfully sent",
    });
    const request = seen[0];
    expect(request).toMatchObject({
      method: "POST",
      url: "/api/v1/sms_gateways/send_user_credentials",
    });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).toBe(
      '{"args":{"pid":"dave","password":"dave-Pa55word","source_id":"sms-source"}}',
    );
  });

  it("a 2xx with an empty JSON object → delivered with message ''", async () => {
    script = answer(200, {});
    await expect(client.sendUserCredentials(guest, TOKEN)).resolves.toEqual({
      status: 200,
      message: "",
    });
  });

  it.each<[string, number, Record<string, string>, string]>([
    ["a 2xx without a body (a proxy)", 204, {}, ""],
    [
      "an HTML page (a web server on the wrong port)",
      200,
      { "content-type": "text/html" },
      "<!DOCTYPE html><h1>It works!</h1>",
    ],
    ["a JSON answer that is not an object", 200, { "content-type": "application/json" }, '"ok"'],
  ])("%s → AXELNAC_WRONG_SERVICE, systemic, never delivered", async (_, status, headers, body) => {
    script = (_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(WrongServiceError);
    expect(error).toMatchObject({
      code: "AXELNAC_WRONG_SERVICE",
      failureClass: "systemic",
      status,
    });
    expect(error.message).toContain("AXELNAC_URL likely points at the wrong service");
  });

  it("a redirect is not followed: AXELNAC_WRONG_SERVICE naming its Location", async () => {
    script = (_req, res) => {
      res.writeHead(301, {
        location: "https://nac.example:9999/api/v1/sms_gateways/send_user_credentials",
      });
      res.end();
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(WrongServiceError);
    expect(error.failureClass).toBe("systemic");
    expect(error.message).toContain(
      'redirected (301) to "https://nac.example:9999/api/v1/sms_gateways/send_user_credentials"',
    );
    expect(seen).toHaveLength(1);
  });

  it("403 as text/plain → AXELNAC_ACCESS_DENIED, systemic", async () => {
    const message = "Unauthorized access, lacking the SMS_GATEWAYS_CREATE administrative role";
    script = (_req, res) => {
      res.writeHead(403, { "content-type": "text/plain" });
      res.end(JSON.stringify({ message }));
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({
      code: "AXELNAC_ACCESS_DENIED",
      failureClass: "systemic",
      status: 403,
      applianceMessage: message,
    });
  });

  it("404 Unknown path → AXELNAC_ENDPOINT_MISSING, systemic (not a per-job failure)", async () => {
    script = answer(404, {
      message: "Unknown path /api/v1/sms_gateways/send_user_credentials",
      errors: [],
      status: 404,
    });
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(EndpointMissingError);
    expect(error).toMatchObject({ code: "AXELNAC_ENDPOINT_MISSING", failureClass: "systemic" });
  });

  it("400 → AXELNAC_INVALID_REQUEST, permanent", async () => {
    script = (_req, res) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end("Unable to decode payload\n");
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error).toMatchObject({
      code: "AXELNAC_INVALID_REQUEST",
      failureClass: "permanent",
      applianceMessage: "Unable to decode payload",
    });
  });

  it("429 with an HTTP-date Retry-After", async () => {
    script = answer(429, "", { "retry-after": new Date(Date.now() + 30_000).toUTCString() });
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it("429 without Retry-After → 1 s", async () => {
    script = answer(429, { message: "slow down" });
    expect((await failure(client.sendUserCredentials(guest, TOKEN))).retryAfterMs).toBe(1_000);
  });

  it.each<[number, string, string]>([
    [502, "application/json", '{"status": 502,"message":"Proxy Error"}'],
    [
      504,
      "text/html",
      "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n",
    ],
  ])(
    "%i from a proxy on send → AXELNAC_OUTCOME_UNKNOWN: the request may have reached the API",
    async (status, type, body) => {
      script = (_req, res) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      };
      const error = await failure(client.sendUserCredentials(guest, TOKEN));
      expect(error).toBeInstanceOf(AmbiguousOutcomeError);
      expect(error).toMatchObject({ failureClass: "ambiguous", status });
      expect(error.message).toContain("the request may have reached the appliance");
    },
  );

  it("503 from a proxy on send → AXELNAC_UNREACHABLE: no worker took it", async () => {
    script = answer(503, { status: 503, message: "No server is available to handle this request" });
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(ApplianceUnreachableError);
    expect(error.status).toBe(503);
  });

  it("502 from a proxy on login → AXELNAC_UNREACHABLE: a login sends no SMS", async () => {
    script = answer(502, { status: 502, message: "Proxy Error" });
    const error = await failure(client.login({ username: "api", password: "api-Pa55" }));
    expect(error).toBeInstanceOf(ApplianceUnreachableError);
  });

  it("a 200 login without a token → AXELNAC_UNEXPECTED_RESPONSE", async () => {
    script = answer(200, { item: "no token here" });
    const error = await failure(client.login({ username: "api", password: "api-Pa55" }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({
      code: "AXELNAC_UNEXPECTED_RESPONSE",
      failureClass: "unreachable",
    });
  });

  it("a login left unanswered → AXELNAC_UNREACHABLE, not ambiguous (a login sends no SMS)", async () => {
    script = () => {}; // read, never answered
    const error = await failure(client.login({ username: "api", password: "api-Pa55" }));
    expect(error).toBeInstanceOf(ApplianceUnreachableError);
    expect(error.cause).toMatchObject({ code: "ERR_REQUEST_DEADLINE" });
  });

  it("headers received then the body stalls → AXELNAC_OUTCOME_UNKNOWN with the status", async () => {
    script = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"message":');
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error.status).toBe(200);
    expect(error.cause).toMatchObject({ code: "ERR_REQUEST_DEADLINE" });
  });

  it("an answer echoing the request has the password and token scrubbed", async () => {
    script = (req, res) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`bad request: ${req.headers.authorization} ${req.body}`);
    };
    const error = await failure(client.sendUserCredentials(guest, TOKEN));
    expect(error.applianceMessage).toContain("[redacted]");
    const everything = `${error.message} ${JSON.stringify(error)} ${String(error.cause)}`;
    expect(everything).not.toContain(guest.password);
    expect(everything).not.toContain(TOKEN);
  });
});

describe("AxelnacClient options", () => {
  it.each([
    ["https://nac.example:9999/api", /origin only/],
    ["https://nac.example:9999/?x=1", /origin only/],
    ["https://user:pw@nac.example:9999", /must not carry credentials/],
    ["ftp://nac.example", /https:\/\//],
    ["nac.example:9999", /https:\/\//],
    ["not a url", /is not a URL/],
  ])("rejects the URL %s", (url, message) => {
    expect(() => new AxelnacClient({ url })).toThrow(message);
  });

  it("accepts an origin with a trailing slash", async () => {
    await new AxelnacClient({ url: "https://nac.example:9999/" }).close();
  });

  it.each([0, -1, Number.NaN])("rejects requestTimeoutMs %p", (requestTimeoutMs) => {
    expect(() => new AxelnacClient({ url: "https://nac.example", requestTimeoutMs })).toThrow(
      /requestTimeoutMs must be a positive number/,
    );
  });
});

async function failure(action: Promise<unknown>): Promise<AxelnacError> {
  try {
    await action;
  } catch (error) {
    return error as AxelnacError;
  }
  throw new Error("expected the call to fail");
}
