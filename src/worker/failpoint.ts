/**
 * Named points where a worker kills itself outright (SIGKILL), for the tests that prove a crash
 * there loses nobody (test/worker/guest-accounts-crash.test.ts). Set COURIER_FAILPOINT to a name;
 * unset, as in production, a failpoint costs one comparison.
 *
 * - `accounts-answered`: the appliance answered an onboarding job; its answer is not recorded yet.
 * - `accounts-recorded`: the answer is recorded in the job; no SMS of it is enqueued yet.
 */
export type FailpointName = "accounts-answered" | "accounts-recorded";

const armed = process.env.COURIER_FAILPOINT;

export function failpoint(name: FailpointName): void {
  if (armed === name) process.kill(process.pid, "SIGKILL");
}
