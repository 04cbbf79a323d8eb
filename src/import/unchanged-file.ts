import type { BigIntStats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { InputChangedError } from "./csv";

/**
 * The bytes of an open file, from its start, checked against what it was when it was opened
 * (`opened`): a byte past that size, or a size or modification time that differ at the end, mean
 * it is still being written, was cut short or was replaced, and throw InputChangedError before
 * the reader takes the rest, a cut last row included, for a whole one. A pipe or a device has no
 * size to hold to: it is read to its end as it comes.
 */
export async function* readUnchangedFile(
  handle: FileHandle,
  opened: BigIntStats,
): AsyncGenerator<Buffer> {
  const stream = handle.createReadStream({ autoClose: false });
  if (!opened.isFile()) {
    yield* stream;
    return;
  }
  let read = 0n;
  for await (const chunk of stream) {
    read += BigInt((chunk as Buffer).length);
    if (read > opened.size) throw changed(opened, await handle.stat({ bigint: true }));
    yield chunk as Buffer;
  }
  const now = await handle.stat({ bigint: true });
  if (read !== opened.size || now.size !== opened.size || now.mtimeNs !== opened.mtimeNs) {
    throw changed(opened, now);
  }
}

function changed(opened: BigIntStats, now: BigIntStats): InputChangedError {
  const what =
    now.size === opened.size
      ? "it was modified after it was opened"
      : `it had ${opened.size} bytes when opened and ${now.size} at the end`;
  return new InputChangedError(
    `the file changed while it was read: ${what}. It was cut short, replaced or is still being ` +
      "written: import it again once it is complete",
  );
}
