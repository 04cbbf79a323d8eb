// Mutation testing of the pure modules: `npm run test:mutation`. Not part of `npm test`: run it
// after changing a pure module or its tests (README, "Development"). Incremental: a re-run tests
// only the mutants whose code or tests changed since the last run.
// Equivalent mutants are named in the source, `// Stryker disable next-line <mutator>: <reason>`,
// and listed with the scores in docs/mutation-testing.md (`node scripts/mutation-note.mjs`).
import { tmpdir } from "node:os";
import { join } from "node:path";

// Outside the working tree, so no report or cache is ever committed.
const out = process.env.MUTATION_REPORT_DIR ?? join(tmpdir(), "axelnac-courier-mutation");

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "jest",
  jest: { configFile: "jest.mutation.config.js", enableFindRelatedTests: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  coverageAnalysis: "perTest",
  mutate: [
    "src/axelnac/classify.ts",
    "src/axelnac/classify-network.ts",
    "src/axelnac/body.ts",
    "src/axelnac/bulk-import.ts",
    "src/axelnac/retry-after.ts",
    "src/cli/pause-line.ts",
    "src/cli/progress-bar.ts",
    "src/cli/shell-word.ts",
    "src/cli/status-lines.ts",
    "src/axelnac/guest-rules.ts",
    "src/config/*.ts",
    "src/import/csv/*.ts",
    "src/import/guest-verification.ts",
    "!src/import/csv/index.ts",
    "src/import/repeated-pids.ts",
    "src/jobs/*.ts",
    "src/key-rotation/job-data-sealing.ts",
    "src/key-rotation/onboarding-job-sealing.ts",
    "src/logging/plural.ts",
    "src/logging/terminal-text.ts",
    "src/onboard/*.ts",
    "!src/onboard/onboarding.ts",
    "src/outcome/*.ts",
    "!src/outcome/index.ts",
    "src/redis/eviction-policy.ts",
    "src/secrets/*.ts",
    "!src/secrets/index.ts",
    "src/simulator/admin-actions.ts",
    "src/simulator/bulk-import-item.ts",
    "src/simulator/login-body.ts",
    "src/token/busy-login.ts",
    "src/token/token-sealing.ts",
    "src/worker/failure-cause.ts",
  ],
  incremental: true,
  incrementalFile: join(out, "incremental.json"),
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: join(out, "report.html") },
  jsonReporter: { fileName: join(out, "report.json") },
  thresholds: { high: 90, low: 90, break: null },
  concurrency: 2,
  tempDirName: join(out, "sandbox"),
  cleanTempDir: "always",
};
