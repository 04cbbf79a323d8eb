import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer, type Socket } from "node:net";

/** A listening server a test can close, and the URL it answers at. */
export interface StandIn {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP server that accepts every connection and never answers a byte: a Redis or an appliance
 * that hangs, as a stalled process or a black-holing firewall does.
 */
export function startBlackHole(scheme = "http"): Promise<StandIn> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  return listen(server, scheme, () => {
    for (const socket of sockets) socket.destroy();
  });
}

/** What a request to a stand-in web server carried, for an answer (a webhook receiver) that reads it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  body: Buffer;
}

/** What a stand-in web server answers: a status, a content type and a body, by method and path. */
export type Answer = (
  method: string,
  path: string,
  request: ReceivedRequest,
) => {
  status: number;
  type: string;
  body: string;
};

/**
 * A web server answering whatever `answer` says: something other than the API (a captive portal,
 * a reverse proxy's page) where the appliance should be. `answer` may be swapped while it runs.
 */
export async function startWebServer(answer: Answer): Promise<StandIn & { answer: Answer }> {
  const state = { answer };
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received = { headers: request.headers, body: Buffer.concat(chunks) };
      const { status, type, body } = state.answer(
        request.method ?? "GET",
        request.url ?? "/",
        received,
      );
      response.writeHead(status, { "content-type": type });
      response.end(body);
    });
  });
  const standIn = await listen(server, "http", () => server.closeAllConnections());
  return Object.assign(state, standIn);
}

function listen(
  server: Server | ReturnType<typeof createServer>,
  scheme: string,
  dropConnections: () => void,
): Promise<StandIn> {
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            dropConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
