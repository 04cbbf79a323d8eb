/** Where the password comes from; a terminal has `isTTY` and `setRawMode`. */
export type PasswordSource = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
  destroy?: () => unknown;
};

export const CANCELLED = Symbol("cancelled");

/**
 * The password from standard input: typed at a prompt with echo off on a terminal, else the first
 * line. Resolves `CANCELLED` on Ctrl-C at the prompt.
 */
export function readPassword(
  input: PasswordSource,
  prompt: NodeJS.WritableStream,
  pid: string,
): Promise<string | typeof CANCELLED> {
  if (input.isTTY && input.setRawMode) return readTyped(input, prompt, pid);
  return readFirstLine(input);
}

/** Longest input kept: the schema allows 255 characters, anything past this is surely wrong. */
const MAX_INPUT = 4096;

function readFirstLine(input: PasswordSource): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (line: string) => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
      // The rest is not ours. pause() alone leaves a pipe that stays open holding the process
      // alive until its writer closes it; destroying the stream releases it.
      input.pause();
      input.destroy?.();
      resolve(line.replace(/\r$/, ""));
    };
    const onData = (chunk: string | Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf("\n");
      if (newline >= 0) finish(text.slice(0, newline));
      else if (text.length > MAX_INPUT) finish(text);
    };
    const onEnd = () => finish(text);
    const onError = (error: Error) => {
      input.off("data", onData);
      input.off("end", onEnd);
      reject(error);
    };
    input.setEncoding("utf8");
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", onError);
  });
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
