import { hash, randomBytes, randomInt } from "node:crypto";
import type { DeliveryJob } from "../jobs/job-schema";

/** Slots the table starts with; it doubles as it fills. */
const INITIAL_SLOTS = 1024;
/** Words per slot: the pid's hash (two words), the delivery's hash, the line (0: empty slot). */
const STRIDE = 4;
const FNV_PRIME = 0x01000193;

/**
 * The pids of one import, each with the first row that had it, to catch a pid that appears
 * again with another password or SMS source: both would be sent, and one password is wrong.
 *
 * A file can hold a million rows, so pids are not kept as text: each is a keyed hash (SHA-256 of
 * a secret drawn for this import followed by the pid, cut to 64 bits) in a typed-array hash
 * table of 16-byte slots, kept at most three quarters full: 21 to 43 bytes a pid, off the heap.
 * Two pids of a million share a hash with a chance of about 3 in 100 million; the secret keeps
 * a file from choosing pids that pile up in one place of the table. Node's one-shot `hash` costs
 * a third of an HMAC. What the first row sends (source and password) is kept as a 32-bit FNV-1a
 * hash from a random seed, a hundredth of a SHA-256's cost: another password for the same pid
 * goes unnoticed with a chance of 1 in 4 billion.
 */
export class RepeatedPids {
  readonly #secret = randomBytes(32).toString("base64");
  // Stryker disable next-line ArithmeticOperator: any wide range of seeds hashes as well
  readonly #seed = randomInt(2 ** 32 - 1);
  #slots = new Uint32Array(INITIAL_SLOTS * STRIDE);
  #mask = INITIAL_SLOTS - 1;
  size = 0;

  /**
   * The line of the pid's first row when this row sends it another password or source; undefined
   * when the pid is new (it is remembered with this line) or the row repeats the first exactly
   * (a duplicate, which the duplicate window skips).
   */
  earlierLine(
    job: Pick<DeliveryJob, "pid" | "password" | "source_id">,
    line: number,
  ): number | undefined {
    const pid = hash("sha256", `${this.#secret}${job.pid}`, "buffer");
    const hi = pid.readUInt32LE(0);
    const lo = pid.readUInt32LE(4);
    const delivery = this.#deliveryHash(job.source_id, job.password);
    const slots = this.#slots;
    for (let slot = lo & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const at = slot * STRIDE;
      const first = slots[at + 3] as number;
      if (first === 0) {
        slots.set([hi, lo, delivery, line], at);
        this.size++;
        if (this.size * 4 > (this.#mask + 1) * 3) this.#grow();
        return undefined;
      }
      // Stryker disable next-line ConditionalExpression,LogicalOperator: two pids whose 32-bit halves collide cannot be found for a test (one pair in 4 billion)
      if (slots[at] === hi && slots[at + 1] === lo) {
        return slots[at + 2] === delivery ? undefined : first;
      }
    }
  }

  /** The memory the table holds. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** FNV-1a over UTF-16 code units; the source's length first, so no two pairs run together. */
  #deliveryHash(source: string, password: string): number {
    let h = Math.imul(this.#seed ^ source.length, FNV_PRIME);
    for (const text of [source, password]) {
      // Stryker disable next-line EqualityOperator: a step past the end XORs NaN, which is 0: one more multiply, the same for every call
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    }
    return h >>> 0;
  }

  #grow(): void {
    const old = this.#slots;
    const count = (this.#mask + 1) * 2;
    this.#slots = new Uint32Array(count * STRIDE);
    this.#mask = count - 1;
    // Stryker disable next-line EqualityOperator: a step past the end copies an empty subarray, which writes nothing
    for (let at = 0; at < old.length; at += STRIDE) {
      // Stryker disable next-line ConditionalExpression: copying an empty slot writes zeros into an empty slot
      if (old[at + 3] === 0) continue;
      let slot = (old[at + 1] as number) & this.#mask;
      while ((this.#slots[slot * STRIDE + 3] as number) !== 0) slot = (slot + 1) & this.#mask;
      this.#slots.set(old.subarray(at, at + STRIDE), slot * STRIDE);
    }
  }
}
