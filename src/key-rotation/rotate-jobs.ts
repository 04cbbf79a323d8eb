import type { Queue } from "bullmq";
import type Redis from "ioredis";
import type { KeyRing } from "../secrets";
import { resealJobData } from "./job-data-sealing";
import { forEachStoredJob, RESTING_STATES } from "./stored-jobs";

// KEYS[1] job hash. ARGV: the data as read, the data re-sealed. Writes only if nobody changed or
// removed the job in between: a job delivered meanwhile is not brought back.
const COMPARE_AND_SET_DATA = `
if redis.call('HGET', KEYS[1], 'data') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
return 1`;

export interface JobRotation {
  /** Re-sealed under the active key, by the state the job was found in. */
  resealed: Record<(typeof RESTING_STATES)[number], number>;
  /** Re-sealed, by where they came from: an older key id, or `plaintext`. */
  resealedFrom: Record<string, number>;
  /** Jobs whose key this ring lacks (key id → count): they stay as they are. */
  keyMissing: Record<string, number>;
  /** Ciphertexts that do not authenticate: they stay, and fail when a worker takes them. */
  unauthentic: number;
  /** Finished or changed while being re-sealed: nothing to do. */
  changedMeanwhile: number;
  passes: number;
}

/** Enough for a job that went active → delayed (a retry) during one pass to be caught by the next. */
const MAX_PASSES = 5;

/**
 * Re-seals every resting job (waiting, prioritized, delayed, failed) under the ring's active key,
 * while workers run. Each write is a compare-and-set on the job's data, so a job delivered or
 * removed in between is never recreated, and a job taken by a worker meanwhile keeps a password
 * that opens to the same text. Passes repeat until one finds nothing left to re-seal: jobs move
 * between states while a pass reads them. Active jobs are left to finish.
 */
export async function rotateStoredJobs(
  queue: Queue,
  redis: Redis,
  ring: KeyRing,
): Promise<JobRotation> {
  const rotation: JobRotation = {
    resealed: { waiting: 0, prioritized: 0, delayed: 0, failed: 0 },
    resealedFrom: {},
    keyMissing: {},
    unauthentic: 0,
    changedMeanwhile: 0,
    passes: 0,
  };
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    rotation.passes = pass;
    let resealedThisPass = 0;
    for (const state of RESTING_STATES) {
      await forEachStoredJob(queue, redis, state, async (jobs) => {
        const writes: { from: string }[] = [];
        const pipeline = redis.pipeline();
        for (const job of jobs) {
          const resealing = resealJobData(job.rawData, ring);
          if (resealing.action === "reseal") {
            pipeline.eval(COMPARE_AND_SET_DATA, 1, job.key, job.rawData, resealing.data);
            writes.push({ from: resealing.from });
          } else if (resealing.action === "cannot" && pass === 1) {
            // Counted once: such a job is found again by every pass.
            countCannot(rotation, resealing);
          }
        }
        if (writes.length === 0) return;
        const results = (await pipeline.exec()) ?? [];
        writes.forEach(({ from }, i) => {
          const [error, written] = results[i] ?? [];
          if (error) throw error;
          if (written !== 1) {
            rotation.changedMeanwhile++;
            return;
          }
          resealedThisPass++;
          rotation.resealed[state]++;
          rotation.resealedFrom[from] = (rotation.resealedFrom[from] ?? 0) + 1;
        });
      });
    }
    if (resealedThisPass === 0) break;
  }
  return rotation;
}

function countCannot(
  rotation: JobRotation,
  resealing: { why: "key-missing" | "unauthentic"; keyId: string },
): void {
  if (resealing.why === "unauthentic") {
    rotation.unauthentic++;
    return;
  }
  rotation.keyMissing[resealing.keyId] = (rotation.keyMissing[resealing.keyId] ?? 0) + 1;
}
