import { AxelnacClient, type ExchangeObserver } from "../axelnac";
import { BUILT_IN_SIMULATOR, type Config, requireAppliance } from "../config/config";
import type { Logger } from "../logging/logger";
import { type Simulator, startSimulator } from "../simulator";

export interface Appliance {
  url: string;
  client: AxelnacClient;
  credentials: { username: string; password: string };
  /** The in-process simulator standing in for an appliance when none is configured. */
  simulator: Simulator | undefined;
  /** Waits for the requests in flight, then closes. */
  close(): Promise<void>;
  /** Closes now: requests in flight end at once, as failures. */
  destroy(): Promise<void>;
}

/**
 * The AxelNAC the commands talk to: the configured appliance, or, with AXELNAC_URL=simulator,
 * the built-in simulator started in this process. AXELNAC_URL unset is a ConfigError.
 */
export async function connectAppliance(
  config: Config,
  logger: Logger,
  onExchange?: ExchangeObserver,
): Promise<Appliance> {
  requireAppliance(config);
  const target = config.axelnac;
  let simulator: Simulator | undefined;
  let url = target.url as string;
  if (url === BUILT_IN_SIMULATOR) {
    simulator = await startSimulator({
      port: 0,
      username: target.username,
      password: target.password,
      idleTimeoutMs: config.token.idleTimeoutMs,
      maxLifetimeMs: config.token.maxLifetimeMs,
      logger: logger.child({ component: "simulator" }),
    });
    url = simulator.url;
    logger.warn(
      { url },
      "AXELNAC_URL=simulator: using the built-in AxelNAC simulator (no real SMS is sent)",
    );
  }
  const client = new AxelnacClient({
    url,
    ca: target.ca,
    insecureSkipTlsVerify: target.insecureSkipTlsVerify,
    connectTimeoutMs: target.connectTimeoutMs,
    requestTimeoutMs: target.requestTimeoutMs,
    maxConnections: target.maxConnections,
    logger: logger.child({ component: "axelnac-client" }),
    onExchange,
  });
  return {
    url,
    client,
    credentials: { username: target.username, password: target.password },
    simulator,
    close: async () => {
      await client.close();
      await simulator?.close();
    },
    destroy: async () => {
      await client.destroy();
      await simulator?.close();
    },
  };
}
