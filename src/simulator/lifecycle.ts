import type { Server, Socket } from "node:net";
import type { Logger } from "../logging/logger";

type State = "up" | "down" | "closed";

/**
 * Listening, outages and shutdown of the simulator's server. Every connection is tracked so an
 * outage or `close()` can cut them all, including requests that hang or wait at the gate.
 */
export class ServerLifecycle {
  readonly #sockets = new Set<Socket>();
  #state: State = "down";
  #port: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: Server,
    private readonly host: string,
    port: number,
    private readonly logger: Logger,
  ) {
    this.#port = port;
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  /** The port actually bound (the requested one, or the one picked for port 0). */
  get port(): number {
    return this.#port;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once("error", onError);
      this.server.listen(this.#port, this.host, () => {
        this.server.off("error", onError);
        resolve();
      });
    });
    const address = this.server.address();
    if (address && typeof address === "object") this.#port = address.port;
    this.#state = "up";
    return this.#port;
  }

  /**
   * Refuses connections and drops the open ones for `ms`, then listens again on the same port.
   * Going down while down restarts the outage clock. Resolves once the outage has begun.
   */
  async goDown(ms: number): Promise<void> {
    if (this.#state === "closed") throw new Error("the simulator is closed");
    clearTimeout(this.#restartTimer);
    if (this.#state === "up") {
      this.#state = "down";
      this.#stopped = this.#stopListening();
      this.logger.info({ ms }, "simulator: down");
    }
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#comeBack();
    }, ms);
  }

  async close(): Promise<void> {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    if (wasUp) this.#stopped = this.#stopListening();
    await this.#stopped;
  }

  async #comeBack(): Promise<void> {
    await this.#stopped;
    if (this.#state !== "down") return;
    try {
      await this.listen();
      this.logger.info({ port: this.#port }, "simulator: back up");
    } catch (error) {
      this.logger.error({ err: error, port: this.#port }, "simulator: cannot listen again");
    }
  }

  #stopListening(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
    for (const socket of this.#sockets) socket.destroy();
    return closed;
  }
}
