/**
 * Job data that breaks the job contract. Nothing was written for it. The message names each
 * offending field and never quotes a value: the value may be a guest's password.
 */
export class InvalidJobError extends Error {
  override name = "InvalidJobError";
  readonly code = "COURIER_INVALID_JOB";

  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * An enqueue option out of range (priority, sendAt, chunkSize). It applies to the whole call, so
 * the call writes nothing; `option` is the option's name.
 */
export class InvalidEnqueueOptionError extends Error {
  override name = "InvalidEnqueueOptionError";
  readonly code = "COURIER_INVALID_ENQUEUE_OPTION";

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}
