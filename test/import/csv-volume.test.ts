import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { mapRegistrations, readCsv } from "../../src/import/csv";

// A full collection on demand, so that what is measured is memory still held, not garbage.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const ROWS = 100_000;
const CHUNK = 64 * 1024;

/**
 * A registration file generated on the fly, never whole in memory. Every tenth
 * row has a quoted note with a line break, so line numbers run ahead of row numbers.
 */
async function* registrationFile(): AsyncGenerator<Buffer> {
  let pending = "pid;password;source_id;note\r\n";
  for (let i = 1; i <= ROWS; i++) {
    const note = i % 10 === 0 ? `"Gast ${i};\r\nTisch ""${i % 50}"""` : `Gast ${i}`;
    pending += `guest${i};Pw-${i}-Ёж;sms;${note}\r\n`;
    if (pending.length >= CHUNK) {
      yield Buffer.from(pending, "utf8");
      pending = "";
    }
  }
  yield Buffer.from(pending, "utf8");
}

/** The same file as bytes, cut at exact 64 KiB boundaries (through multi-byte characters too). */
async function* exactChunks(): AsyncGenerator<Buffer> {
  let held = Buffer.alloc(0);
  for await (const piece of registrationFile()) {
    held = Buffer.concat([held, piece]);
    while (held.length >= CHUNK) {
      yield held.subarray(0, CHUNK);
      held = held.subarray(CHUNK);
    }
  }
  if (held.length > 0) yield held;
}

describe("readCsv at volume", () => {
  it("streams 100,000 registrations in flat memory with the right line numbers", async () => {
    const retained: number[] = [];
    const reading = readCsv(exactChunks());
    let count = 0;
    let last = { line: 0, pid: "" };
    for await (const row of mapRegistrations(await reading.header, reading.records)) {
      if ("error" in row) throw new Error(`line ${row.line}: ${row.error}`);
      count++;
      last = row;
      if (count % 20_000 === 0) retained.push(retainedHeap());
    }

    expect(count).toBe(ROWS);
    // Header on line 1; the 9,999 broken notes before the last row each push it one line down.
    expect(last).toMatchObject({ pid: `guest${ROWS}`, password: `Pw-${ROWS}-Ёж`, line: 110_000 });
    // Flat: what the reader holds after 100,000 rows is what it held after 20,000.
    const [atFirst = 0, ...later] = retained;
    expect(retained).toHaveLength(5);
    expect(Math.max(...later) - atFirst).toBeLessThan(5 * 1024 * 1024);
  }, 20_000);
});
