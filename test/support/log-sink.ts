import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging/logger";

/** A logger whose JSON lines a test can read back, as pino's own tests do. */
export interface CapturedLog {
  logger: Logger;
  lines(): Record<string, unknown>[];
  text(): string;
}

export function captureLog(level = "trace"): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Fails with the offending line when any secret appears anywhere in the captured text. */
export function expectNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const at = text.indexOf(secret);
    if (at >= 0) {
      const lineStart = text.lastIndexOf("\n", at) + 1;
      const lineEnd = text.indexOf("\n", at);
      throw new Error(
        `a secret appears in the logs: ${text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(secret, "<SECRET>")}`,
      );
    }
  }
}
