import { validateDeliveryJob } from "../jobs/job-schema";
import type { EnqueueManyResult } from "../producer";
import type { ChunkProducer } from "./importer";

/**
 * Stands in for the producer in `import --dry-run`: the same validation, nothing written, no
 * Redis needed. It cannot know what the duplicate window holds, so it reports no duplicates.
 */
export const dryRunProducer: ChunkProducer = {
  enqueueMany: async (items: unknown[]): Promise<EnqueueManyResult> => {
    const result: EnqueueManyResult = { accepted: [], rejected: [] };
    items.forEach((item, index) => {
      const validation = validateDeliveryJob(item);
      if (validation.ok) result.accepted.push({ index, jobId: "", duplicate: false });
      else result.rejected.push({ index, reason: validation.reason });
    });
    return result;
  },
};
