import { type DeliveryJob, validateDeliveryJob } from "../../jobs/job-schema";
import type { ApiError } from "../api-error";
import { apiError } from "../api-error-codes";
import { MAX_DELIVERIES_PER_REQUEST } from "./delivery-schemas";

/** One thing wrong with one guest of the request: its position (absent for a lone guest), field, what. */
export interface GuestProblem {
  index?: number;
  field: string | null;
  message: string;
}

export type DeliveryRequest = { ok: true; jobs: DeliveryJob[] } | { ok: false; error: ApiError };

const SHAPE =
  'the body must be a JSON object: one delivery ({"pid", "password", "source_id", …}), or {"deliveries": [those]}';

/**
 * The jobs a `POST /v1/deliveries` body asks for, each stamped with the key that sent it; or why
 * none is enqueued. All or nothing: one invalid guest refuses the request (422, every problem by
 * guest index), so a client never has to work out which half went through. A body of the wrong
 * shape is a 400. Problems name fields and never quote a value: a value may be a password.
 */
export function readDeliveryRequest(body: unknown, submittedBy: string): DeliveryRequest {
  if (!isObject(body)) return refuse(SHAPE);
  const many = "deliveries" in body;
  const items: unknown[] = many ? (body.deliveries as unknown[]) : [body];
  if (many) {
    if (!Array.isArray(items)) return refuse("deliveries: must be an array of deliveries");
    if (items.length === 0) return refuse("deliveries: must hold at least one delivery");
    if (items.length > MAX_DELIVERIES_PER_REQUEST) {
      return refuse(
        `deliveries: at most ${MAX_DELIVERIES_PER_REQUEST} per request, got ${items.length}: send them in several requests`,
      );
    }
  }
  const jobs: DeliveryJob[] = [];
  const problems: GuestProblem[] = [];
  items.forEach((item, index) => {
    const at = many ? { index } : {};
    if (isObject(item) && item.submitted_by !== undefined) {
      problems.push({
        ...at,
        field: "submitted_by",
        message: "is set by the courier to the API key's id: leave it out",
      });
    }
    const validation = validateDeliveryJob(item);
    if (validation.ok) jobs.push({ ...validation.job, submitted_by: submittedBy });
    else problems.push(...validation.problems.map((problem) => ({ ...at, ...problem })));
  });
  if (problems.length === 0) return { ok: true, jobs };
  return { ok: false, error: invalidGuests(problems, many ? items.length : undefined) };
}

function invalidGuests(problems: GuestProblem[], total: number | undefined): ApiError {
  const guests = new Set(problems.map((problem) => problem.index)).size;
  const which =
    total === undefined
      ? "the delivery is invalid"
      : `${guests} of ${total} deliveries are invalid`;
  const first = problems
    .slice(0, 3)
    .map(
      (p) =>
        `${p.index === undefined ? "" : `[${p.index}] `}${p.field ? `${p.field}: ` : ""}${p.message}`,
    )
    .join("; ");
  const more = problems.length > 3 ? `; and ${problems.length - 3} more (details)` : "";
  return apiError("DELIVERY_INVALID", `${which}, nothing was enqueued: ${first}${more}`, problems);
}

function refuse(message: string): DeliveryRequest {
  return { ok: false, error: apiError("REQUEST_INVALID", message) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
