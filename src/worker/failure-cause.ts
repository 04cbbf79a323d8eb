import type { Failure } from "../outcome";

/**
 * What a failure says about the appliance, the same for every guest it happens to: its message
 * with the guest's pid taken out. When the appliance goes away, the jobs in flight all fail with
 * messages that differ only by pid; they are one cause, reported once.
 */
export function failureCause(failure: Pick<Failure, "message"> & { pid?: string }): string {
  const { message, pid } = failure;
  return pid === undefined ? message : message.replaceAll(JSON.stringify(pid), "<pid>");
}
