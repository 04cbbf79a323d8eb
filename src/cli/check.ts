import { loadConfig, requireAppliance } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import { createLogger } from "../logging/logger";
import { escapeControls } from "../logging/terminal-text";
import { type Appliance, connectAppliance } from "../wiring/appliance";
import { warnIfSecretsInPlaintext } from "../wiring/plaintext-warning";
import { type CheckFindings, checkRedis } from "./check-redis";
import { noArguments, readArguments } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";

export const CHECK_USAGE = `usage: axelnac-courier check

Logs in to AxelNAC (AXELNAC_URL, required; "simulator" for the built-in one) with the API credentials
and asks the API about that new token (token_info): the fleet's shared token in Redis is neither
used nor replaced. Says whether Redis answers, and in what state the fleet's token is there (read
only). Ends within the appliance's timeouts and 10 s for Redis. Exit 0 when both work, 1 otherwise.`;

export async function runCheck(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, noArguments("check", CHECK_USAGE));
  if ("exit" in parsed) return parsed.exit;
  const config = loadConfig();
  requireAppliance(config);
  io.stderr.write(`${describeQueueTarget(config)}\n`);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  warnIfSecretsInPlaintext(config, logger);
  const appliance = await connectAppliance(config, logger);
  try {
    // Side by side: neither waits for the other to fail, so the whole check ends within the
    // longer of the two bounds.
    const findings = await Promise.all([
      checkAppliance(appliance),
      checkRedis(config, appliance, logger),
    ]);
    // A finding may quote the appliance: made safe for the terminal.
    for (const { lines } of findings)
      for (const line of lines) io.stdout.write(`${escapeControls(line)}\n`);
    const failures = findings.flatMap((finding) => finding.failures);
    for (const failure of failures) reportFailure(io, failure);
    return failures.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await appliance.close();
  }
}

/**
 * A login of check's own, every time: a token cached in Redis proves nothing of the credentials,
 * the appliance, or what answers at its address now. token_info with the new token then proves
 * the API itself accepts it. The token is not stored; unused, it dies at its idle timeout.
 */
async function checkAppliance(appliance: Appliance): Promise<CheckFindings> {
  const { client, credentials, url } = appliance;
  try {
    const token = await client.login(credentials);
    await client.tokenInfo(token);
    return {
      lines: [
        `ok: ${url} accepted the API credentials of "${credentials.username}"; a token of check's own answered token_info (the fleet's token was left alone)`,
      ],
      failures: [],
    };
  } catch (error) {
    return { lines: [], failures: [error] };
  }
}
