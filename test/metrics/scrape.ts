import { request } from "undici";
import type { WorkerProcess } from "../support/worker-fleet";

/** One sample of Prometheus' text format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a /metrics answer; a line that is neither a comment nor a sample fails loudly. */
export function parseMetrics(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? "").matchAll(LABEL)) {
        labels[name as string] = value as string;
      }
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`; 0 when there is none. */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  return samples
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Where the worker serves /metrics, from its start-up line. */
export async function observabilityUrl(worker: WorkerProcess): Promise<string> {
  const line = await worker.waitForLog((l) => l.msg === "serving /metrics, /livez and /readyz");
  return String(line.url);
}

export async function get(
  url: string,
): Promise<{ status: number; type: string; text: string; json: () => unknown }> {
  // A connection per request (`reset`): no kept-alive socket outlives the test's servers.
  const answer = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000, reset: true });
  const text = await answer.body.text();
  return {
    status: answer.statusCode,
    type: String(answer.headers["content-type"]),
    text,
    json: () => JSON.parse(text),
  };
}

export async function scrape(baseUrl: string): Promise<{ text: string; samples: Sample[] }> {
  const { status, text } = await get(`${baseUrl}/metrics`);
  if (status !== 200) throw new Error(`/metrics answered ${status}: ${text}`);
  return { text, samples: parseMetrics(text) };
}
