import { loadConfig } from "../config/config";
import { createLogger } from "../logging/logger";
import { connectRedis } from "../redis/connection";
import { connectAppliance } from "../wiring/appliance";
import { createFleetTokenManager } from "../wiring/fleet-token";
import { warnIfSecretsInPlaintext } from "../wiring/plaintext-warning";
import { noArguments, readArguments } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";

export const CHECK_USAGE = `usage: axelnac-courier check

Logs in to AxelNAC (or the built-in simulator when AXELNAC_URL is unset) through the fleet's
shared token in Redis, and says whether the API credentials and Redis work.`;

export async function runCheck(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, noArguments("check", CHECK_USAGE));
  if ("exit" in parsed) return parsed.exit;
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  warnIfSecretsInPlaintext(config, logger);
  const appliance = await connectAppliance(config, logger);
  const redis = connectRedis(config.redis, logger, "check");
  const tokens = createFleetTokenManager(config, redis, appliance, logger);
  try {
    await tokens.getToken();
    io.stdout.write(
      `ok: ${appliance.url} accepted the API credentials of "${appliance.credentials.username}"; the token is shared in Redis\n`,
    );
    return EXIT.ok;
  } catch (error) {
    return reportFailure(io, error);
  } finally {
    await tokens.close();
    redis.disconnect();
    await appliance.close();
  }
}
