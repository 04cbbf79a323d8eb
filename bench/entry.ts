import { killAllWorkers } from "./worker-process";

/** A whole bench gives up after this long, whatever it is waiting for, unless it says otherwise. */
const WHOLE_BENCH_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs a bench script's `main` with the safety net every bench needs: worker processes killed on
 * exit, Ctrl-C and SIGTERM stop it cleanly, a watchdog ends it, and `release` (what the bench
 * started: Redis, temp files) runs within 5 s on every way out.
 */
export function runBenchEntry(
  name: string,
  main: (argv: string[]) => Promise<number>,
  release: () => Promise<void>,
  wholeBenchTimeoutMs = WHOLE_BENCH_TIMEOUT_MS,
): void {
  const abort = (code: number, message: string) => {
    process.stderr.write(`${name}: ${message}\n`);
    killAllWorkers();
    const giveUp = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    void Promise.race([release(), giveUp]).finally(() => process.exit(code));
  };
  process.on("exit", killAllWorkers);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => abort(130, `${signal}: stopping`));
  }
  setTimeout(
    () => abort(1, `still running after ${wholeBenchTimeoutMs / 60_000} min: giving up`),
    wholeBenchTimeoutMs,
  ).unref();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
