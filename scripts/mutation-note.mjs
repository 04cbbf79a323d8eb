// Writes docs/mutation-testing.md from the last mutation run's JSON report: the score of each
// module and every mutant named equivalent in the source, with its reason.
// Usage: node scripts/mutation-note.mjs [report.json]
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const reportFile =
  process.argv[2] ??
  join(
    process.env.MUTATION_REPORT_DIR ?? join(tmpdir(), "axelnac-courier-mutation"),
    "report.json",
  );
const report = JSON.parse(readFileSync(reportFile, "utf8"));

const scores = [];
const equivalents = [];
for (const [file, { mutants }] of Object.entries(report.files).sort()) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const detected = count("Killed") + count("Timeout");
  const valid = detected + count("Survived") + count("NoCoverage");
  const score = valid === 0 ? "—" : `${((100 * detected) / valid).toFixed(1)} %`;
  scores.push(
    `| \`${file}\` | ${score} | ${detected} | ${count("Survived") + count("NoCoverage")} | ${count("Ignored")} |`,
  );
  const byLine = new Map();
  for (const m of mutants.filter((m) => m.status === "Ignored")) {
    const key = m.location.start.line;
    const entry = byLine.get(key) ?? { count: 0, reason: m.statusReason ?? "" };
    entry.count++;
    byLine.set(key, entry);
  }
  for (const [line, { count: n, reason }] of [...byLine].sort((a, b) => a[0] - b[0])) {
    const why = reason
      .replace(/^Ignored because of excluded mutation "[^"]*"\s*/, "")
      .replace(/\|/g, "\\|");
    equivalents.push(`| \`${file}:${line}\` | ${n} | ${why} |`);
  }
}

const text = `# Mutation testing

\`npm run test:mutation\` runs StrykerJS over the pure modules (configuration: \`stryker.config.mjs\`,
tests: \`jest.mutation.config.js\`). This page is written by \`node scripts/mutation-note.mjs\` from the
last run's report.

## Scores

| module | score | detected | survived | equivalent |
|---|---|---|---|---|
${scores.join("\n")}

## Equivalent mutants

Mutants no behaviour can tell apart from the code, named in the source with
\`// Stryker disable next-line <mutator>: <reason>\` on the line above them.

| where | mutants | why no test can notice |
|---|---|---|
${equivalents.join("\n")}
`;
writeFileSync(new URL("../docs/mutation-testing.md", import.meta.url), text);
console.log(
  `docs/mutation-testing.md: ${scores.length} modules, ${equivalents.length} lines with equivalent mutants`,
);
