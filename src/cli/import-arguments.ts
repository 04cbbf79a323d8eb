import { parseArgs } from "node:util";
import { COLUMN_FLAGS, type ColumnMap, type CsvReadOptions } from "../import/csv";
import { type CommandLine, UsageError } from "./command";
import { readFileArguments } from "./file-arguments";
import { IMPORT_USAGE } from "./import-messages";
import { parseSendAt } from "./send-at";

const FLAGS = {
  delimiter: { type: "string" },
  encoding: { type: "string" },
  "pid-column": { type: "string" },
  "password-column": { type: "string" },
  "source-id-column": { type: "string" },
  "reference-column": { type: "string" },
  "source-id": { type: "string" },
  batch: { type: "string" },
  "send-at": { type: "string" },
  rejects: { type: "string" },
  "dry-run": { type: "boolean" },
  resend: { type: "boolean" },
  "verify-guests": { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** What `axelnac-courier import` was asked to do. */
export interface ImportRequest {
  file: string;
  csv: CsvReadOptions;
  columns: Partial<ColumnMap>;
  sourceId: string | undefined;
  batch: string | undefined;
  sendAt: Date | undefined;
  rejects: string | undefined;
  dryRun: boolean;
  resend: boolean;
  /** Look every guest up on the appliance before enqueuing; reject those no SMS can reach. */
  verifyGuests: boolean;
}

export const IMPORT_COMMAND_LINE: CommandLine<ImportRequest> = {
  usage: IMPORT_USAGE,
  prefix: "import: ",
  blankLine: true,
  parse: parseFlags,
};

function parseFlags(argv: string[]): ImportRequest | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: FLAGS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return "help";
  const { file, csv } = readFileArguments(positionals, values);
  const named: Record<keyof ColumnMap, string | undefined> = {
    pid: values["pid-column"],
    password: values["password-column"],
    source_id: values["source-id-column"],
    reference: values["reference-column"],
  };
  const columns: Partial<ColumnMap> = {};
  for (const [field, name] of Object.entries(named) as [keyof ColumnMap, string | undefined][]) {
    if (name === undefined) continue;
    if (name.trim() === "") throw new UsageError(`${COLUMN_FLAGS[field]}: the name is empty`);
    columns[field] = name;
  }
  return {
    file,
    csv,
    columns,
    sourceId: values["source-id"],
    batch: values.batch,
    sendAt: values["send-at"] === undefined ? undefined : parseSendAt(values["send-at"]),
    rejects: values.rejects,
    dryRun: values["dry-run"] ?? false,
    resend: values.resend ?? false,
    verifyGuests: values["verify-guests"] ?? false,
  };
}
