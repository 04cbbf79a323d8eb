import { Readable } from "node:stream";
import { InputChangedError } from "../../src/import/csv";
import { UploadBody } from "../../src/serve/routes/batch-upload-body";

/** Everything the body hands on before it stops, and why it stopped (undefined: it ended). */
async function readAll(body: UploadBody): Promise<{ text: string; stoppedBy: unknown }> {
  const read: Buffer[] = [];
  try {
    for await (const chunk of body.chunks()) read.push(chunk);
    return { text: Buffer.concat(read).toString(), stoppedBy: undefined };
  } catch (error) {
    return { text: Buffer.concat(read).toString(), stoppedBy: error };
  }
}

describe("an upload's body", () => {
  const file = "pid,password\nann,pw-ann\nbob,pw-bob\n";

  it("hands on a body within the limit whole", async () => {
    const body = new UploadBody(Readable.from([Buffer.from(file)]), file.length);
    expect(await readAll(body)).toEqual({ text: file, stoppedBy: undefined });
    expect(body.overLimit).toBe(false);
  });

  // A client's whole body often arrives before the route reads it, as one chunk: the rows within
  // the limit are still imported, and counted in the 413's details.
  it("hands on the bytes within the limit of a chunk that passes it, then stops", async () => {
    const body = new UploadBody(Readable.from([Buffer.from(file)]), 20);
    const { text, stoppedBy } = await readAll(body);
    expect(text).toBe(file.slice(0, 20));
    expect(stoppedBy).toBeInstanceOf(InputChangedError);
    expect((stoppedBy as Error).message).toContain("larger than the limit of 20 bytes");
    expect(body.overLimit).toBe(true);
  });

  it("stops at a chunk that starts past the limit, having handed on the ones before it", async () => {
    const chunks = [file.slice(0, 13), file.slice(13, 24), file.slice(24)].map((s) =>
      Buffer.from(s),
    );
    const body = new UploadBody(Readable.from(chunks), 24);
    const { text, stoppedBy } = await readAll(body);
    expect(text).toBe(file.slice(0, 24));
    expect(stoppedBy).toBeInstanceOf(InputChangedError);
    expect(body.overLimit).toBe(true);
  });
});
