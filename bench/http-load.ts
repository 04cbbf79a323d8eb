import { randomBytes } from "node:crypto";
import autocannon from "autocannon";

export interface LoadTarget {
  url: string;
  /** `Bearer <key>`: the API checks it, the bare route ignores it. */
  authorization: string;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  requests: number;
  perSecond: number;
  /** Latency percentiles, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, by status: a run with any is not a fair measurement. */
  refused: Record<string, number>;
  errors: number;
  timeouts: number;
}

/**
 * Loads `POST /v1/deliveries` for `durationS` with autocannon: one guest per request, each with a
 * pid, password and Idempotency-Key never sent before (a repeated one would be a duplicate or a
 * replay, cheaper than an enqueue), all built as the request goes out.
 */
export async function loadDeliveries(target: LoadTarget): Promise<LoadResult> {
  const run = randomBytes(6).toString("hex");
  let sent = 0;
  const result = await autocannon({
    url: target.url,
    connections: target.connections,
    duration: target.durationS,
    requests: [
      {
        method: "POST",
        path: "/v1/deliveries",
        setupRequest: (request) => {
          sent += 1;
          const n = sent.toString(36);
          return {
            ...request,
            headers: {
              "content-type": "application/json",
              authorization: target.authorization,
              "idempotency-key": `bench-${run}-${n}`,
            },
            body: JSON.stringify({
              pid: `guest-${run}-${n}`,
              password: `pw-${run}-${n}`,
              source_id: "sms",
            }),
          };
        },
      },
    ],
  });
  const refused: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    if (!status.startsWith("2")) refused[status] = stats.count ?? 0;
  }
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / target.durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    refused,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
