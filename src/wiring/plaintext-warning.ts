import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";

/**
 * Said once at the start of the processes that hold secrets (the worker, `check`): without a key
 * ring, whoever reads Redis or its backups reads guest passwords and the API token.
 */
export function warnIfSecretsInPlaintext(config: Config, logger: Logger): void {
  if (config.encryption.ring) return;
  logger.warn(
    { setting: "JOB_ENCRYPTION_KEYS" },
    'guest passwords and the API token are stored in plaintext in Redis: set JOB_ENCRYPTION_KEYS (README, "Secrets at rest")',
  );
}
