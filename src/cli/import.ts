import { basename } from "node:path";
import { type Config, loadConfig, requireAppliance } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import { generateBatchId } from "../import/batch-id";
import { dryRunProducer } from "../import/dry-run-producer";
import { type ImportResult, openImport, type RegistrationImport } from "../import/importer";
import { RejectsFile } from "../import/rejects-file";
import { validateDeliveryJob } from "../jobs/job-schema";
import type { Logger } from "../logging/logger";
import { escapeControls } from "../logging/terminal-text";
import { ONE_SHOT_REDIS_TIMEOUT_MS } from "../redis/connection";
import { type ConnectedGuestCheck, connectGuestCheck } from "../wiring/guest-lookup";
import { type ConnectedProducer, connectDeliveryProducer } from "../wiring/producer";
import { readArguments } from "./command";
import { IMPORT_COMMAND_LINE, type ImportRequest } from "./import-arguments";
import {
  advice,
  badSourceId,
  enqueuedBeforeFailure,
  rejectsUnwritable,
  STOPPING,
  sendAtPast,
  setupProblem,
  starting,
  summary,
} from "./import-messages";
import { ImportProgress, type ProgressStream } from "./import-progress";
import { redisStopAccount, stoppedSummary } from "./import-redis-stop";
import { InputFile, loggerAboveProgress } from "./input-file";
import { type CommandIo, EXIT, reportFailure } from "./io";

/** `axelnac-courier import FILE`: a registration file into the queue, bad rows reported by line. */
/** `config`: settings to use instead of the environment's (the demo imports into its own queue). */
export async function runImport(
  argv: string[],
  io: CommandIo,
  config: Config = loadConfig(),
): Promise<number> {
  const parsed = readArguments(argv, io, IMPORT_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const request = parsed.args;
  // --verify-guests asks the appliance: which one must be known before anything starts.
  if (request.verifyGuests) requireAppliance(config);
  const defaultSourceId = request.sourceId ?? config.producer.defaultSourceId;
  if (defaultSourceId !== undefined) {
    const check = validateDeliveryJob({ pid: "-", password: "-", source_id: defaultSourceId });
    if (!check.ok) {
      io.stderr.write(`import: ${badSourceId(check.problems)}\n`);
      return EXIT.usage;
    }
  }
  const batchId = request.batch ?? generateBatchId();
  const run = new ImportCommand(request, config, io, batchId);
  try {
    return await run.execute(defaultSourceId);
  } finally {
    await run.close();
  }
}

/** One run of the command: the resources it opened, closed on every way out. */
class ImportCommand {
  #file: InputFile | undefined;
  #import: RegistrationImport | undefined;
  #rejects: RejectsFile | undefined;
  #connected: ConnectedProducer | undefined;
  #guestCheck: ConnectedGuestCheck | undefined;
  #progress: ImportProgress | undefined;
  readonly #logger: Logger;

  constructor(
    readonly request: ImportRequest,
    readonly config: Config,
    readonly io: CommandIo,
    readonly batchId: string,
  ) {
    this.#logger = loggerAboveProgress(config.log, () => this.#progress, io.stderr);
  }

  async execute(defaultSourceId: string | undefined): Promise<number> {
    const { request, io } = this;
    try {
      this.#import = await this.#open(defaultSourceId);
    } catch (error) {
      this.#say(setupProblem(error, request.file));
      return EXIT.usage;
    }
    if (request.rejects !== undefined) {
      try {
        this.#rejects = await RejectsFile.create(request.rejects, this.#import.header);
      } catch (error) {
        this.#say(rejectsUnwritable(request.rejects, error));
        return EXIT.usage;
      }
    }
    // --verify-guests reads the fleet's token from Redis even in a dry run.
    if (!request.dryRun || request.verifyGuests) {
      io.stderr.write(`${describeQueueTarget(this.config)}\n`);
    }
    if (!request.dryRun) {
      try {
        this.#connected = await connectDeliveryProducer(this.config, this.#logger, {
          connectionName: "import",
          answerTimeoutMs: ONE_SHOT_REDIS_TIMEOUT_MS,
        });
      } catch (error) {
        return reportFailure(io, error);
      }
    }
    if (request.verifyGuests) {
      try {
        this.#guestCheck = await connectGuestCheck(
          this.config,
          this.#logger,
          ONE_SHOT_REDIS_TIMEOUT_MS,
        );
      } catch (error) {
        return reportFailure(io, error);
      }
    }
    const { delimiter } = this.#import.header;
    this.#say(starting(this.batchId, basename(request.file), delimiter, request.dryRun));
    if (request.sendAt && request.sendAt.getTime() < Date.now()) {
      this.#say(sendAtPast(request.sendAt));
    }
    return this.#stream(this.#import);
  }

  async close(): Promise<void> {
    this.#progress?.stop();
    await this.#rejects?.close();
    await this.#guestCheck?.close();
    await this.#connected?.close();
    await this.#file?.close();
  }

  async #open(defaultSourceId: string | undefined): Promise<RegistrationImport> {
    const { request } = this;
    this.#file = await InputFile.open(request.file, request.rejects);
    return openImport(this.#file.bytes(), {
      csv: request.csv,
      columns: request.columns,
      batchId: this.batchId,
      defaultSourceId,
    });
  }

  async #stream(job: RegistrationImport): Promise<number> {
    const { request, io } = this;
    const progress = new ImportProgress(io.stderr as ProgressStream, {
      counts: job.counts,
      bytesRead: () => this.#file?.bytesRead ?? 0,
      totalBytes: this.#file?.totalBytes ?? 0,
      dryRun: request.dryRun,
    });
    this.#progress = progress;
    const interrupt = new AbortController();
    const onSigint = () => {
      // Once: a second Ctrl-C has Node's default effect, for when Redis does not answer.
      progress.line(`import: ${STOPPING}`);
      interrupt.abort();
    };
    process.once("SIGINT", onSigint);
    progress.start();
    let result: ImportResult;
    try {
      result = await job.run(this.#connected?.producer ?? dryRunProducer, {
        resend: request.resend,
        ...(request.sendAt ? { sendAt: request.sendAt } : {}),
        signal: interrupt.signal,
        ...(this.#guestCheck ? { verifyGuests: this.#guestCheck.check } : {}),
        onRejected: async ({ line, error, fields }) => {
          progress.line(`line ${line}: ${escapeControls(error)}`);
          await this.#rejects?.add(line, error, fields);
        },
      });
    } catch (error) {
      progress.stop();
      reportFailure(io, error);
      this.#say(enqueuedBeforeFailure(job.counts.enqueued, request));
      io.stdout.write(`${summary(this.batchId, job.counts, request.dryRun)}\n`);
      return EXIT.failed;
    } finally {
      process.off("SIGINT", onSigint);
    }
    progress.stop();
    if (result.redisStop) {
      const { redisStop } = result;
      reportFailure(io, redisStop);
      const choices = {
        resend: request.resend,
        duplicateWindowMs: this.config.producer.duplicateWindowMs,
      };
      for (const line of redisStopAccount(redisStop, result, choices)) this.#say(line);
      io.stdout.write(`${stoppedSummary(this.batchId, result, redisStop)}\n`);
      return EXIT.failed;
    }
    // What the admin does next goes to stderr; stdout keeps the one summary line.
    for (const line of advice(result, request, this.config.producer.duplicateWindowMs)) {
      this.#say(line);
    }
    io.stdout.write(`${summary(this.batchId, result, request.dryRun)}\n`);
    if (result.interruptedAfterLine !== undefined) return EXIT.interrupted;
    return result.rejected > 0 ? EXIT.failed : EXIT.ok;
  }

  /** A line of the command's own on stderr; never while the progress bar is drawn. */
  #say(text: string): void {
    this.io.stderr.write(`import: ${escapeControls(text)}\n`);
  }
}
