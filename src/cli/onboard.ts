import { basename } from "node:path";
import { type Config, loadConfig } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import { generateBatchId } from "../import/batch-id";
import { RejectsFile } from "../import/rejects-file";
import type { GuestAccountsJob } from "../jobs/guest-accounts-job";
import type { Logger } from "../logging/logger";
import { plural } from "../logging/plural";
import { escapeControls } from "../logging/terminal-text";
import { type Onboarding, type OnboardingResult, openOnboarding } from "../onboard/onboarding";
import { onboardingWrites } from "../onboard/onboarding-writes";
import { connectOperator, type OperatorConnections } from "../wiring/operator";
import { readArguments } from "./command";
import { rejectsUnwritable, STOPPING, setupProblem, starting } from "./import-messages";
import { ImportProgress, type ProgressStream } from "./import-progress";
import { InputFile, loggerAboveProgress } from "./input-file";
import { type CommandIo, EXIT, reportFailure } from "./io";
import {
  ONBOARD_COMMAND_LINE,
  type OnboardRequest,
  resolveOnboardRequest,
} from "./onboard-arguments";
import { onboardAdvice, onboardSummary } from "./onboard-messages";

/** `axelnac-courier onboard FILE`: an export's guests created on AxelNAC, then sent their passwords. */
export async function runOnboard(
  argv: string[],
  io: CommandIo,
  config: Config = loadConfig(),
): Promise<number> {
  const parsed = readArguments(argv, io, ONBOARD_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const resolved = resolveOnboardRequest(parsed.args, config, new Date());
  if ("problems" in resolved) {
    for (const problem of resolved.problems) io.stderr.write(`onboard: ${problem}\n`);
    return EXIT.usage;
  }
  const batchId = resolved.batch ?? generateBatchId(new Date(), "onboard");
  const run = new OnboardCommand(resolved, config, io, batchId);
  try {
    return await run.execute();
  } finally {
    await run.close();
  }
}

/** One run of the command: the resources it opened, closed on every way out. */
class OnboardCommand {
  #file: InputFile | undefined;
  #rejects: RejectsFile | undefined;
  #redis: OperatorConnections | undefined;
  #progress: ImportProgress | undefined;
  readonly #logger: Logger;

  constructor(
    readonly request: OnboardRequest,
    readonly config: Config,
    readonly io: CommandIo,
    readonly batchId: string,
  ) {
    this.#logger = loggerAboveProgress(config.log, () => this.#progress, io.stderr);
  }

  async execute(): Promise<number> {
    const { request, io } = this;
    let onboarding: Onboarding;
    try {
      this.#file = await InputFile.open(request.file, request.rejects);
      onboarding = await openOnboarding(this.#file.bytes(), {
        ...request,
        batchId: this.batchId,
      });
    } catch (error) {
      this.#say(setupProblem(error, request.file));
      return EXIT.usage;
    }
    if (request.rejects !== undefined) {
      try {
        this.#rejects = await RejectsFile.create(request.rejects, onboarding.header);
      } catch (error) {
        this.#say(rejectsUnwritable(request.rejects, error));
        return EXIT.usage;
      }
    }
    if (!request.dryRun) {
      io.stderr.write(`${describeQueueTarget(this.config)}\n`);
      try {
        this.#redis = await connectOperator(this.config, this.#logger);
      } catch (error) {
        return reportFailure(io, error);
      }
    }
    const { delimiter } = onboarding.header;
    this.#say(
      starting(this.batchId, basename(request.file), delimiter, request.dryRun, "onboarding"),
    );
    return this.#stream(onboarding);
  }

  async close(): Promise<void> {
    this.#progress?.stop();
    await this.#rejects?.close();
    await this.#redis?.close();
    await this.#file?.close();
  }

  async #stream(onboarding: Onboarding): Promise<number> {
    const { request, io } = this;
    const progress = new ImportProgress(io.stderr as ProgressStream, {
      counts: onboarding.counts,
      bytesRead: () => this.#file?.bytesRead ?? 0,
      totalBytes: this.#file?.totalBytes ?? 0,
      dryRun: request.dryRun,
    });
    this.#progress = progress;
    const interrupt = new AbortController();
    const onSigint = () => {
      progress.line(`onboard: ${STOPPING}`);
      interrupt.abort();
    };
    process.once("SIGINT", onSigint);
    progress.start();
    let result: OnboardingResult;
    try {
      result = await onboarding.run({
        write: (jobs) => this.#write(jobs),
        signal: interrupt.signal,
        onRejected: async ({ line, error, fields }) => {
          progress.line(`line ${line}: ${escapeControls(error)}`);
          await this.#rejects?.add(line, error, fields);
        },
      });
    } catch (error) {
      progress.stop();
      reportFailure(io, error);
      this.#say(
        `${plural(onboarding.counts.enqueued, "guest was", "guests were")} queued before the failure, up to line ${onboarding.lastLine}; once it is fixed, onboard the file again: guests already created are left as they are`,
      );
      io.stdout.write(
        `${onboardSummary(this.batchId, { ...onboarding.counts }, request.dryRun)}\n`,
      );
      return EXIT.failed;
    } finally {
      process.off("SIGINT", onSigint);
    }
    progress.stop();
    const choices = { dryRun: request.dryRun, rejects: request.rejects, batchId: this.batchId };
    for (const line of onboardAdvice(result, choices)) this.#say(line);
    io.stdout.write(`${onboardSummary(this.batchId, result, request.dryRun)}\n`);
    if (result.interruptedAfterLine !== undefined) return EXIT.interrupted;
    return result.rejected > 0 ? EXIT.failed : EXIT.ok;
  }

  async #write(jobs: GuestAccountsJob[]): Promise<void> {
    const redis = this.#redis;
    if (!redis) return; // the dry run: the rows are checked, nothing is written
    await onboardingWrites({
      queue: redis.queue,
      keys: redis.keys,
      config: this.config,
      deadline: redis.deadline,
    })(jobs);
  }

  /** A line of the command's own on stderr; never while the progress bar is drawn. */
  #say(text: string): void {
    this.io.stderr.write(`onboard: ${escapeControls(text)}\n`);
  }
}
