// Writes docs/mutation-testing.md from mutation runs' JSON reports: the score of each module and
// every mutant named equivalent in the source, with its reason. A run over some modules only
// (`npx stryker run --mutate …`) updates their rows and keeps the others' from the page as it was.
// Usage: node scripts/mutation-note.mjs [report.json …]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const reportFiles =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [
        join(
          process.env.MUTATION_REPORT_DIR ?? join(tmpdir(), "axelnac-courier-mutation"),
          "report.json",
        ),
      ];
// Later reports win for the modules they share.
const files = Object.assign(
  {},
  ...reportFiles.map((file) => JSON.parse(readFileSync(file, "utf8")).files),
);

const page = new URL("../docs/mutation-testing.md", import.meta.url);
/** The page's rows for modules no report covers: `| \`src/…\` |` for scores, `| \`src/…:N\` |` for equivalents. */
const kept = { scores: new Map(), equivalents: new Map() };
if (existsSync(page)) {
  for (const line of readFileSync(page, "utf8").split("\n")) {
    const match = /^\| `(src\/[^`:]+)(:\d+)?` \|/.exec(line);
    if (!match || files[match[1]]) continue;
    const table = match[2] ? kept.equivalents : kept.scores;
    table.set(`${match[1]}${match[2] ?? ""}`, line);
  }
}

const scores = [];
const equivalents = [];
for (const [file, { mutants }] of Object.entries(files)) {
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

const byPlace = (a, b) => a.localeCompare(b, "en", { numeric: true });
const sortedRows = (rows, keptRows) =>
  [...rows.map((row) => [/`([^`]+)`/.exec(row)[1], row]), ...keptRows]
    .sort(([a], [b]) => byPlace(a, b))
    .map(([, row]) => row);
const scoreRows = sortedRows(scores, kept.scores);
const equivalentRows = sortedRows(equivalents, kept.equivalents);

const text = `# Mutation testing

\`npm run test:mutation\` runs StrykerJS over the pure modules (configuration: \`stryker.config.mjs\`,
tests: \`jest.mutation.config.js\`). This page is written by \`node scripts/mutation-note.mjs\` from the
reports of the latest run that covered each module.

## Scores

| module | score | detected | survived | equivalent |
|---|---|---|---|---|
${scoreRows.join("\n")}

## Equivalent mutants

Mutants no behaviour can tell apart from the code, named in the source with
\`// Stryker disable next-line <mutator>: <reason>\` on the line above them.

| where | mutants | why no test can notice |
|---|---|---|
${equivalentRows.join("\n")}
`;
writeFileSync(page, text);
console.log(
  `docs/mutation-testing.md: ${scoreRows.length} modules (${scores.length} from the reports), ${equivalentRows.length} lines with equivalent mutants`,
);
