import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./processes";

const run = promisify(execFile);

/** The package as a user gets it: packed into a tarball, installed into an empty folder. */
export interface InstalledPackage {
  /** The folder it was installed into (its node_modules holds the package and its dependencies). */
  dir: string;
  tarball: string;
  /** The paths the tarball holds, as `npm pack` lists them. */
  packedFiles: string[];
  remove(): void;
}

/**
 * The environment of the npm commands: this one without the npm_* variables that `npx jest` sets,
 * so that the install behaves as one typed by a user (no inherited prefix, no lifecycle state).
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
  );
}

/**
 * `npm pack`, then `npm install <tarball>` in an empty folder. The jest global setup has just
 * built dist/, so the pack runs no script: `prepare` would build dist/ again under the tests
 * running beside this one.
 */
export async function packAndInstall(): Promise<InstalledPackage> {
  const root = mkdtempSync(join(tmpdir(), "axelnac-courier-package-"));
  try {
    const packed = await run(
      "npm",
      ["pack", "--ignore-scripts", "--json", "--pack-destination", root],
      { cwd: REPO_ROOT, env: npmEnv() },
    );
    const [summary] = JSON.parse(packed.stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    if (!summary) throw new Error(`npm pack listed no package: ${packed.stdout}`);
    const tarball = join(root, summary.filename);
    const dir = join(root, "app");
    mkdirSync(dir);
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
      cwd: dir,
      env: npmEnv(),
    });
    return {
      dir,
      tarball,
      packedFiles: summary.files.map((file) => file.path),
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
