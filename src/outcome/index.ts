/** The outcome contract: codes, failure classes, and turning anything thrown into a failure. */
export { OUTCOME_CODES, type OutcomeCode } from "./codes";
export {
  type Failure,
  type FailureClass,
  failureReason,
  INTERNAL_FAILURE,
  isFailure,
  isFailureClass,
  reasonCode,
  reasonParts,
  toFailure,
} from "./failure";
