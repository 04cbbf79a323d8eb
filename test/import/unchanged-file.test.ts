import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { open, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputChangedError } from "../../src/import/csv";
import { readUnchangedFile } from "../../src/import/unchanged-file";

describe("readUnchangedFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "courier-unchanged-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SIZE = 1 << 20;

  /** Reads the file, doing `change` once the first chunk is in; the bytes read, or the error. */
  async function readWhile(name: string, change: (path: string) => void | Promise<void>) {
    const path = join(dir, name);
    writeFileSync(path, "x".repeat(SIZE));
    const handle = await open(path, "r");
    try {
      const opened = await handle.stat({ bigint: true });
      let bytes = 0;
      for await (const chunk of readUnchangedFile(handle, opened)) {
        if (bytes === 0) await change(path);
        bytes += chunk.length;
      }
      return bytes;
    } catch (error) {
      return error;
    } finally {
      await handle.close();
    }
  }

  it("reads a pipe, which has no size, to its end", async () => {
    const path = join(dir, "pipe");
    execFileSync("mkfifo", [path]);
    const writer = (async () => {
      const out = await open(path, "w");
      await out.writeFile("x".repeat(SIZE));
      await out.close();
    })();
    const handle = await open(path, "r");
    let bytes = 0;
    for await (const chunk of readUnchangedFile(handle, await handle.stat({ bigint: true }))) {
      bytes += chunk.length;
    }
    await handle.close();
    await writer;
    expect(bytes).toBe(SIZE);
  });

  it("reads a file that stays as it is to its end", async () => {
    expect(await readWhile("same.csv", () => {})).toBe(SIZE);
  });

  it("stops when the file is cut short while it is read", async () => {
    const error = await readWhile("truncated.csv", (path) => truncateSync(path, SIZE / 2));
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toBe(
      `the file changed while it was read: it had ${SIZE} bytes when opened and ${SIZE / 2} ` +
        "at the end. It was cut short, replaced or is still being written: import it again once it is complete",
    );
  });

  it("stops at the first byte past the size it had when opened: it is still being written", async () => {
    const error = await readWhile("growing.csv", (path) => appendFileSync(path, "more,rows\n"));
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the file changed while it was read: it had ${SIZE} bytes when opened and ${SIZE + 10} at the end`,
      ),
    );
  });

  it("stops when the file is rewritten in place at the same size", async () => {
    const error = await readWhile("rewritten.csv", async (path) => {
      writeFileSync(path, "y".repeat(SIZE));
      // A rewrite within the clock's tick could keep the time: make sure it moves.
      await utimes(path, new Date(), new Date(Date.now() + 60_000));
    });
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toMatch(
      /^the file changed while it was read: it was modified/,
    );
  });
});
