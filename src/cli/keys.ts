import { loadConfig } from "../config/config";
import { takeKeyStatus } from "../key-rotation/key-status";
import { rotateKeys } from "../key-rotation/rotate-keys";
import { jsonForTerminal } from "../logging/terminal-text";
import { generateKeyEntry } from "../secrets";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { describeKeyStatus, describeRotation } from "./keys-report";
import { onOperator } from "./operator-command";

export const KEYS_USAGE = `usage: axelnac-courier keys generate
       axelnac-courier keys rotate [--discard-token] [--json]
       axelnac-courier keys status [--json]

generate  print a new key ring entry (ID:BASE64) on stdout: put it first in JOB_ENCRYPTION_KEYS
rotate    re-seal every stored job (waiting, prioritized, delayed, failed), the shared API
          token and the API keys' webhook secrets under the ring's active key, while workers
          run; active jobs are left to finish.
          --discard-token deletes the shared token instead (after a suspected leak): one login
status    how many stored jobs, tokens and webhook secrets are under each key id and how many
          are plaintext

README, "Secrets at rest", gives the rotation procedure.`;

interface KeysRequest {
  action: "generate" | "rotate" | "status";
  json: boolean;
  discardToken: boolean;
}

export async function runKeys(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, KEYS_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { action, json, discardToken } = parsed.args;
  if (action === "generate") {
    io.stdout.write(`${generateKeyEntry()}\n`);
    return EXIT.ok;
  }
  const config = loadConfig();
  const ring = config.encryption.ring;
  if (action === "rotate" && !ring) {
    io.stderr.write(
      "keys rotate: JOB_ENCRYPTION_KEYS (or JOB_ENCRYPTION_KEYS_FILE) is not set: there is no key to rotate to\n",
    );
    return EXIT.usage;
  }
  return onOperator(config, io, { readOnly: action === "status" }, async ({ queue, redis }) => {
    if (action === "status") {
      const status = await takeKeyStatus(queue, redis, config.redisKeyPrefix, ring);
      io.stdout.write(json ? `${jsonForTerminal(status)}\n` : describeKeyStatus(status));
      return EXIT.ok;
    }
    if (!ring) throw new Error("unreachable: rotate without a ring");
    const rotation = await rotateKeys(queue, redis, config.redisKeyPrefix, ring, discardToken);
    io.stdout.write(json ? `${jsonForTerminal(rotation)}\n` : describeRotation(rotation));
    // Secrets under a key the ring lacks are still readable by whoever has it: the old key must stay.
    const keyMissing = { ...rotation.jobs.keyMissing, ...rotation.webhookSecrets.keyMissing };
    return Object.keys(keyMissing).length > 0 ? EXIT.failed : EXIT.ok;
  });
}

const KEYS_COMMAND_LINE: CommandLine<KeysRequest> = {
  usage: KEYS_USAGE,
  prefix: "keys: ",
  blankLine: true,
  parse(argv) {
    const [action, ...rest] = argv;
    if (isHelp(action) || action === "help") return "help";
    if (action !== "generate" && action !== "rotate" && action !== "status") {
      throw new UsageError(
        action
          ? `unknown action "${action}": use generate, rotate or status`
          : "an action is required: generate, rotate or status",
      );
    }
    const flags = readFlags(rest, {
      json: { type: "boolean", default: false },
      "discard-token": { type: "boolean", default: false },
    });
    if (action === "generate" && (flags.json || flags["discard-token"])) {
      throw new UsageError("generate takes no options");
    }
    if (action === "status" && flags["discard-token"]) {
      throw new UsageError("--discard-token is for rotate");
    }
    return { action, json: flags.json, discardToken: flags["discard-token"] };
  },
};
