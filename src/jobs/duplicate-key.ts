import { createHmac } from "node:crypto";
import type { DeliveryJob } from "./job-schema";

/**
 * The identity of one delivery for duplicate protection: a keyed hash (HMAC-SHA256) of
 * (source_id, pid, password). It is what Redis keeps, so it must not reveal the password: a bare
 * digest of a short password could be reversed by guessing, a keyed one cannot without the key.
 * Fields are length-prefixed so that no two different triples hash alike.
 */
export function duplicateKey(
  secret: string,
  job: Pick<DeliveryJob, "source_id" | "pid" | "password">,
): string {
  const hmac = createHmac("sha256", secret);
  for (const field of [job.source_id, job.pid, job.password]) {
    hmac.update(`${Buffer.byteLength(field)}:${field}`);
  }
  return hmac.digest("hex");
}
