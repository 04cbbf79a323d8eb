/**
 * The tests of the pure modules, for mutation testing (`npm run test:mutation`): no Redis, no
 * build, no child processes, so a mutant is judged in milliseconds. Type errors are the
 * TypeScript checker's job there, so ts-jest only transpiles.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: [
    "<rootDir>/test/axelnac/classify.test.ts",
    "<rootDir>/test/axelnac/bulk-import.test.ts",
    "<rootDir>/test/axelnac/answers-at-the-edges.test.ts",
    "<rootDir>/test/axelnac/transport-failures.test.ts",
    "<rootDir>/test/axelnac/guest-rules.test.ts",
    "<rootDir>/test/cli/pause-line.test.ts",
    "<rootDir>/test/cli/progress-bar.test.ts",
    "<rootDir>/test/cli/shell-word.test.ts",
    "<rootDir>/test/cli/status-lines.test.ts",
    "<rootDir>/test/config/*.test.ts",
    "<rootDir>/test/import/csv-encoding.test.ts",
    "<rootDir>/test/import/csv-read.test.ts",
    "<rootDir>/test/import/csv-registrations.test.ts",
    "<rootDir>/test/import/csv-units.test.ts",
    "<rootDir>/test/import/csv-header-errors.test.ts",
    "<rootDir>/test/import/guest-verification.test.ts",
    "<rootDir>/test/import/repeated-pids.test.ts",
    "<rootDir>/test/jobs/*.test.ts",
    "<rootDir>/test/key-rotation/job-data-sealing.test.ts",
    "<rootDir>/test/key-rotation/onboarding-job-sealing.test.ts",
    "<rootDir>/test/logging/plural.test.ts",
    "<rootDir>/test/logging/terminal-text.test.ts",
    "<rootDir>/test/onboard/*.test.ts",
    "<rootDir>/test/outcome/failure.test.ts",
    "<rootDir>/test/outcome/retry-backoff.test.ts",
    "<rootDir>/test/redis/eviction-policy-info.test.ts",
    "<rootDir>/test/secrets/key-ring.test.ts",
    "<rootDir>/test/secrets/sealed-text.test.ts",
    "<rootDir>/test/simulator/admin-actions.test.ts",
    "<rootDir>/test/simulator/bulk-import-item.test.ts",
    "<rootDir>/test/simulator/login-body.test.ts",
    "<rootDir>/test/token/busy-login.test.ts",
    "<rootDir>/test/token/token-sealing.test.ts",
    "<rootDir>/test/worker/failure-cause.test.ts",
  ],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true }],
  },
};
