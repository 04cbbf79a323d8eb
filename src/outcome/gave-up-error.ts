import { UnrecoverableError } from "bullmq";
import { type Failure, failureReason } from "./failure";

/**
 * A job given up for good because of a classified failure: BullMQ fails it at once, as any
 * UnrecoverableError, and whoever records the outcome (the delivery history) reads the failure
 * that ended it, the appliance's status and message included, from `failure` rather than from
 * the words of the job's reason. Kept out of the outcome index, so that the AxelNAC client and
 * the simulator, which import that index, do not load BullMQ.
 */
export class GaveUpError extends UnrecoverableError {
  readonly failure: Failure;

  /** `note` ends the reason in brackets: `gave up after 3 attempts`. */
  constructor(failure: Failure, note?: string) {
    super(failureReason(failure, note));
    // The name BullMQ and the worker's "failed" handler know an unrecoverable error by.
    this.name = "UnrecoverableError";
    this.failure = failure;
  }
}
