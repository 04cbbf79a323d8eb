import type { FailedJobView } from "../../src/batches/failed-jobs";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { generateKeyEntry } from "../../src/secrets/key-entry";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type CliResult, runCli } from "./cli";
import { expectCleanLogs } from "./deliveries";
import { DeliveryHarness } from "./delivery-harness";

/** What `failedBatchBench()` gives the tests of one file, once its beforeAll has run. */
export interface FailedBatchBench {
  readonly harness: DeliveryHarness;
  readonly producer: ConnectedProducer;
  /** Runs the command against the harness's queue, and keeps its output for the final scan. */
  cli(...args: string[]): Promise<CliResult>;
  /** `failed list --batch B --json`, which must succeed. */
  failedOf(batch: string): Promise<FailedJobView[]>;
}

/**
 * Failed deliveries to recover with `failed retry`, for the tests of one file: an appliance that
 * knows the SMS source "sms" alone (a job sent with another fails), sealed jobs, and a producer.
 * After all the tests, neither the workers' logs nor any command's output may hold a secret.
 */
export function failedBatchBench(): FailedBatchBench {
  const settings = { JOB_ENCRYPTION_KEYS: generateKeyEntry(), LOG_LEVEL: "info" };
  const outputs: CliResult[] = [];
  let harness: DeliveryHarness | undefined;
  let producer: ConnectedProducer | undefined;
  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error("the failed-batch bench is used before its beforeAll");
    return what;
  };

  beforeAll(async () => {
    harness = await DeliveryHarness.start({ simulator: { sources: ["sms"] }, settings });
    const logger = createLogger({ level: "silent" });
    producer = await connectDeliveryProducer(loadConfig(harness.workerEnv()), logger);
  });

  afterAll(async () => {
    await producer?.close();
    if (!harness) return;
    try {
      // Every guest password of the tests (guestPassword()) carries the marker this scan looks for.
      expectCleanLogs(
        `${harness.fleet.output()}\n${outputs.map((o) => o.stdout + o.stderr).join("\n")}`,
        [harness.apiPassword],
      );
    } finally {
      await harness.close();
    }
  });

  const cli = async (...args: string[]) => {
    const result = await runCli(args, started(harness).workerEnv());
    outputs.push(result);
    return result;
  };
  return {
    get harness() {
      return started(harness);
    },
    get producer() {
      return started(producer);
    },
    cli,
    async failedOf(batch) {
      const result = await cli("failed", "list", "--batch", batch, "--json");
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as FailedJobView[];
    },
  };
}
