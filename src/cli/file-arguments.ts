import type { CsvReadOptions } from "../import/csv";
import { batchIdProblem } from "../jobs/batch-id-rule";
import { forTerminal } from "../logging/terminal-text";
import { UsageError } from "./command";

/**
 * What `import` and `onboard` read alike: one FILE, an optional `--batch` id, and the reader's
 * `--delimiter` and `--encoding`. Throws UsageError naming the argument at fault.
 */
export function readFileArguments(
  positionals: readonly string[],
  values: {
    batch?: string | undefined;
    delimiter?: string | undefined;
    encoding?: string | undefined;
  },
): { file: string; csv: CsvReadOptions } {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "FILE is required"
        : `one FILE at a time, got ${positionals.length}`,
    );
  }
  const batchProblem = values.batch === undefined ? undefined : batchIdProblem(values.batch);
  if (batchProblem) {
    throw new UsageError(`--batch: "${forTerminal(values.batch ?? "")}" ${batchProblem}`);
  }
  const csv: CsvReadOptions = {};
  if (values.delimiter !== undefined)
    csv.delimiter = values.delimiter as CsvReadOptions["delimiter"];
  if (values.encoding !== undefined) csv.encoding = values.encoding;
  return { file: positionals[0] as string, csv };
}
