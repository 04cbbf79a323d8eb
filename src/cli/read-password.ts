/** Where the password comes from; a terminal has `isTTY` and `setRawMode`. */
export type PasswordSource = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
  destroy?: () => unknown;
};

export const CANCELLED = Symbol("cancelled");

/** Piped input that is not one password: more than one line. Never quotes the input. */
export class PasswordInputError extends Error {
  override name = "PasswordInputError";
}

/**
 * The password from standard input: typed at a prompt with echo off on a terminal, else the one
 * line piped in, read to the end of the input. Resolves `CANCELLED` on Ctrl-C at the prompt;
 * rejects with a PasswordInputError when the input holds more than one line.
 */
export function readPassword(
  input: PasswordSource,
  prompt: NodeJS.WritableStream,
  pid: string,
): Promise<string | typeof CANCELLED> {
  if (input.isTTY && input.setRawMode) return readTyped(input, prompt, pid);
  return readPiped(input);
}

/** Longest input kept: the schema allows 255 characters, anything past this is surely wrong. */
const MAX_INPUT = 4096;

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The password in piped text: its one non-empty line, as it is (blanks around it are the job
 * schema's to judge). A line break ending it, and blank lines, are not part of it. A second
 * line is refused rather than dropped: sending the first line of a file of passwords, or a
 * password cut at a line break, would send the guest a wrong one.
 */
export function passwordOfInput(text: string): string {
  const lines = text.split(LINE_BREAK).filter((line) => line !== "");
  if (lines.length > 1) {
    throw new PasswordInputError(
      "standard input holds more than one line; the password is one line, without line breaks",
    );
  }
  return lines[0] ?? "";
}

function readPiped(input: PasswordSource): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = () => {
      input.off("data", onData);
      input.off("end", finish);
      input.off("error", onError);
      // The rest is not read. pause() alone leaves a pipe that stays open holding the process
      // alive until its writer closes it; destroying the stream releases it.
      input.pause();
      input.destroy?.();
      try {
        resolve(passwordOfInput(text));
      } catch (error) {
        reject(error);
      }
    };
    const onData = (chunk: string | Buffer) => {
      text += chunk.toString();
      // A second line is an error whatever follows: say so without waiting for the end.
      if (text.length > MAX_INPUT || hasSecondLine(text)) finish();
    };
    const onError = (error: Error) => {
      input.off("data", onData);
      input.off("end", finish);
      reject(error);
    };
    input.setEncoding("utf8");
    input.on("data", onData);
    input.once("end", finish);
    input.once("error", onError);
  });
}

/** Text on a line after a non-empty one: more may come, but it is already more than one line. */
function hasSecondLine(text: string): boolean {
  return text.replace(/^[\r\n]+/, "").search(/[\r\n]+[^\r\n]/) >= 0;
}

function readTyped(
  tty: PasswordSource,
  prompt: NodeJS.WritableStream,
  pid: string,
): Promise<string | typeof CANCELLED> {
  prompt.write(`Password for ${pid}: `);
  tty.setRawMode?.(true);
  tty.setEncoding("utf8");
  tty.resume();
  return new Promise((resolve) => {
    const typed: string[] = [];
    const finish = (result: string | typeof CANCELLED) => {
      tty.off("data", onData);
      tty.off("end", onEnd);
      tty.setRawMode?.(false);
      tty.pause();
      prompt.write("\n");
      resolve(result);
    };
    const onEnd = () => finish(typed.join(""));
    // Raw mode: every key arrives as typed, so Enter, Ctrl-C and erasing are ours to handle.
    const onData = (chunk: string | Buffer) => {
      for (const char of chunk.toString()) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(typed.join(""));
        if (char === "\u0003") return finish(CANCELLED);
        if (char === "\u007f" || char === "\b") typed.pop();
        else if (char === "\u0015")
          typed.length = 0; // Ctrl-U erases the line
        else if (char === "\u001b")
          return; // an arrow or function key: drop its escape sequence
        else if (char >= " ") typed.push(char);
      }
    };
    tty.on("data", onData);
    tty.once("end", onEnd);
  });
}
