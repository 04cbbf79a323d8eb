import { randomUUID } from "node:crypto";
import type { GuestAccountsJob, OnboardedGuest } from "../src/jobs/guest-accounts-job";

/**
 * A registration list of `count` guests with every field an organiser's file gives, pids unique to
 * this run: the simulator keeps the guests of earlier runs, and a guest it already holds would be
 * "existing" and get no SMS.
 */
export function benchGuests(count: number): OnboardedGuest[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(7, "0");
    return {
      line: i + 2,
      pid: `onb-${run}-${n}`,
      firstname: "Ivan",
      lastname: `Petrov-${n}`,
      email: `guest-${run}-${n}@example.org`,
      telephone: `+7912${n}`,
      company: "Romashka LLC",
    };
  });
}

/** The guests as onboarding jobs of `chunkSize` guests each (the last one may hold fewer). */
export function onboardingJobs(
  batchId: string,
  guests: readonly OnboardedGuest[],
  chunkSize: number,
): GuestAccountsJob[] {
  const run = randomUUID();
  const jobs: GuestAccountsJob[] = [];
  for (let at = 0; at < guests.length; at += chunkSize) {
    jobs.push({
      batch_id: batchId,
      source_id: "sms",
      run,
      reset_passwords: false,
      account: {
        valid_from: "2026-12-10 09:00:00",
        expiration: "2026-12-12 18:00:00",
        actions: [
          { type: "set_role", value: "guest" },
          { type: "set_access_duration", value: "3D" },
        ],
      },
      guests: guests.slice(at, at + chunkSize),
    });
  }
  return jobs;
}
