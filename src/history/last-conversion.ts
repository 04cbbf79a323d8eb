/**
 * A pure conversion that remembers its last argument and answer. A worker turns the same
 * millisecond into the same text over and over (jobs enqueued together share their timestamp;
 * a busy worker finishes several in one millisecond): then the answer is reused, not recomputed.
 */
export function lastConversion<A, R>(convert: (argument: A) => R): (argument: A) => R {
  let lastArgument: A | undefined;
  let lastAnswer: R | undefined;
  let used = false;
  return (argument) => {
    if (!used || argument !== lastArgument) {
      lastAnswer = convert(argument);
      lastArgument = argument;
      used = true;
    }
    return lastAnswer as R;
  };
}
