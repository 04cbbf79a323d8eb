import { randomBytes } from "node:crypto";

/**
 * A batch id for an import (or an onboarding) the admin did not name: `import-20261130-0215-ab12`, the local date
 * and time (what the admin will remember) and 4 random hex digits, so that two imports started
 * in the same minute still differ. A valid batch id (src/jobs/batch-id-rule.ts).
 */
export function generateBatchId(now = new Date(), kind: "import" | "onboard" = "import"): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}`;
  return `${kind}-${date}-${time}-${randomBytes(2).toString("hex")}`;
}
