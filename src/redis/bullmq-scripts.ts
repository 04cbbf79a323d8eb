import type { Queue } from "bullmq";

/** One of BullMQ's Lua scripts as it ships it: its includes resolved, `keys` of them first. */
interface BullmqScript {
  name: string;
  content: string;
  keys: number;
}

/*
 * The very scripts `job.retry("failed")`, `job.remove()` and `job.promote()` run. The courier wraps each in a script
 * of its own that checks the job's state and keeps the batch counters in the same atomic step
 * (src/batches/failed-job-scripts.ts): BullMQ has no public call that does both. The file names
 * carry the number of keys, so a BullMQ release that changes them fails here, at load time.
 */
const { reprocessJob } = require("bullmq/dist/cjs/scripts/reprocessJob-9.js") as {
  reprocessJob: BullmqScript;
};
const { removeJob } = require("bullmq/dist/cjs/scripts/removeJob-2.js") as {
  removeJob: BullmqScript;
};
const { promote } = require("bullmq/dist/cjs/scripts/promote-9.js") as {
  promote: BullmqScript;
};
const SCRIPTS = { reprocessJob, removeJob, promote };

/**
 * BullMQ's script as the body of a Lua function `name`, to call from another script. Its KEYS and
 * ARGV come first in the wrapping script's, in BullMQ's order (see the `…Keys` below).
 */
export function bullmqFunction(script: keyof typeof SCRIPTS, name: string): string {
  const { content } = SCRIPTS[script];
  return `local function ${name}()\n${content}\nend\n`;
}

/** The 9 keys of `reprocessJob`, as BullMQ's `retryFinishedJob` passes them for a failed job. */
export function reprocessJobKeys(queue: Queue, jobId: string): string[] {
  const { keys } = queue;
  return [
    queue.toKey(jobId),
    keys.events,
    queue.toKey("failed"),
    keys.wait,
    keys.meta,
    keys.active,
    keys.marker,
    keys.prioritized,
    keys.pc,
  ] as string[];
}

/** The 2 keys of `removeJob`, as BullMQ's `remove` passes them. */
export function removeJobKeys(queue: Queue, jobId: string): string[] {
  return [queue.toKey(jobId), queue.toKey("repeat")];
}

/** `removeJob`'s own arguments after the job id: remove children too (BullMQ's default), the queue's key prefix. */
export function removeJobArgs(queue: Queue): string[] {
  return ["1", queue.toKey("")];
}

/** The 9 keys of `promote`, as BullMQ's `job.promote()` passes them. */
export function promoteKeys(queue: Queue): string[] {
  const { keys } = queue;
  return [
    keys.delayed,
    keys.wait,
    keys.paused,
    keys.meta,
    keys.prioritized,
    keys.active,
    keys.pc,
    keys.events,
    keys.marker,
  ] as string[];
}
