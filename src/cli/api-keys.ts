import { ApiKeyInputError, ApiKeyStore } from "../api-keys/api-key-store";
import { loadConfig } from "../config/config";
import { forTerminal, jsonForTerminal } from "../logging/terminal-text";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import { isScope, SCOPES, type Scope } from "../serve/scopes";
import type { OperatorConnections } from "../wiring/operator";
import { describeCreatedKey, describeKeys, keyAsJson, shownOnce } from "./api-keys-report";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";

export const API_KEYS_USAGE = `usage: axelnac-courier api-keys create --name NAME --scope SCOPE [--scope SCOPE…] [--webhook URL] [--json]
       axelnac-courier api-keys list [--json]
       axelnac-courier api-keys revoke ID

The keys of the HTTP API (\`axelnac-courier serve\`); a client sends one as
"Authorization: Bearer <key>".

create  make a key and print it, once: only a hash of it is stored. Scopes: ${SCOPES.join(", ")}.
        --webhook URL (http or https): each delivered or finally failed delivery this key added
        is POSTed there, signed with a secret also printed once
list    every key: id, name, scopes, when created and revoked, webhook; never a key or secret
revoke  refuse the key from now on (it stays listed, revoked)
--json  the result as JSON on stdout`;

type ApiKeysRequest =
  | { action: "create"; name: string; scopes: Scope[]; webhook: string | undefined; json: boolean }
  | { action: "list"; json: boolean }
  | { action: "revoke"; id: string };

export async function runApiKeys(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, API_KEYS_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const request = parsed.args;
  const config = loadConfig();
  const work = async ({ redis, deadline }: OperatorConnections) => {
    const store = new ApiKeyStore(
      redis,
      config.redisKeyPrefix,
      config.queue.name,
      config.encryption.ring,
    );
    return act(store, request, io, deadline);
  };
  return onOperator(config, io, { readOnly: true }, work, (error) => {
    if (!(error instanceof ApiKeyInputError)) return undefined;
    io.stderr.write(`api-keys: ${error.message}\n`);
    return EXIT.usage;
  });
}

/** What the command does once connected; the exit status. */
async function act(
  store: ApiKeyStore,
  request: ApiKeysRequest,
  io: CommandIo,
  deadline: AnswerDeadline,
): Promise<number> {
  switch (request.action) {
    case "create": {
      const { name, scopes, webhook, json } = request;
      const input = { name, scopes, ...(webhook === undefined ? {} : { webhookUrl: webhook }) };
      const key = await answerWithin(store.create(input), deadline);
      if (json) {
        const { key: text, webhookSecret } = key;
        io.stdout.write(
          `${jsonForTerminal({ ...keyAsJson(key), key: text, webhookSecret: webhookSecret ?? null })}\n`,
        );
        io.stderr.write(`${shownOnce(key)}\n`);
      } else {
        io.stdout.write(describeCreatedKey(key));
      }
      return EXIT.ok;
    }
    case "list": {
      const keys = await answerWithin(store.list(), deadline);
      io.stdout.write(
        request.json ? `${jsonForTerminal(keys.map(keyAsJson))}\n` : describeKeys(keys),
      );
      return EXIT.ok;
    }
    case "revoke": {
      if (!(await answerWithin(store.revoke(request.id), deadline))) {
        io.stderr.write(`api-keys: no API key has the id "${request.id}" (see api-keys list)\n`);
        return EXIT.usage;
      }
      io.stdout.write(`revoked API key ${request.id}\n`);
      return EXIT.ok;
    }
  }
}

const API_KEYS_COMMAND_LINE: CommandLine<ApiKeysRequest> = {
  usage: API_KEYS_USAGE,
  prefix: "api-keys: ",
  blankLine: true,
  parse(argv) {
    const [action, ...rest] = argv;
    if (isHelp(action) || action === "help") return "help";
    switch (action) {
      case "create":
        return parseCreate(rest);
      case "list":
        return {
          action,
          json: readFlags(rest, { json: { type: "boolean", default: false } }).json,
        };
      case "revoke": {
        const [id, ...extra] = rest;
        if (!id || id.startsWith("-")) throw new UsageError("revoke needs the key's id");
        if (extra.length > 0) throw new UsageError(`revoke takes one id, got "${rest.join(" ")}"`);
        if (!/^[0-9a-f]{16}$/.test(id)) {
          throw new UsageError("a key id is 16 hexadecimal digits (see api-keys list)");
        }
        return { action, id };
      }
      default:
        throw new UsageError(
          action
            ? `unknown action "${action}": use create, list or revoke`
            : "an action is required: create, list or revoke",
        );
    }
  },
};

function parseCreate(argv: string[]): ApiKeysRequest {
  const flags = readFlags(argv, {
    name: { type: "string" },
    scope: { type: "string", multiple: true },
    webhook: { type: "string" },
    json: { type: "boolean", default: false },
  });
  if (flags.name === undefined || flags.name.trim() === "") {
    throw new UsageError("create needs --name NAME (who the key is for)");
  }
  const scopes = flags.scope ?? [];
  if (scopes.length === 0) {
    throw new UsageError(`create needs at least one --scope: ${SCOPES.join(", ")}`);
  }
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown scope ${unknown.map((s) => `"${forTerminal(s)}"`).join(", ")}: the scopes are ${SCOPES.join(", ")}`,
    );
  }
  return {
    action: "create",
    name: flags.name,
    scopes: scopes as Scope[],
    webhook: flags.webhook,
    json: flags.json,
  };
}
