/**
 * POST /api/v1/users/bulk_import (docs/axelnac-api.md §9): what the courier sends to create guest
 * accounts, and the appliance's answer read item by item. Pure, like classify.ts.
 */

import { plural } from "../logging/plural";
import { isRecord, truncate } from "./body";
import {
  type CallContext,
  classifyFailure,
  describeCall,
  isSuccess,
  notTheApi,
  type Reply,
} from "./classify";
import { type AxelnacError, UnexpectedResponseError } from "./errors";

export const BULK_IMPORT_PATH = "/api/v1/users/bulk_import";

/**
 * How much of a bulk import's answer the courier keeps: each result echoes its item (about 500
 * bytes; a guest with every field at the appliance's 255-character limits, in Cyrillic, under
 * 4 KiB), so 8 KiB a guest, over the usual limit. Cut shorter, the answer would not parse.
 */
export function bulkImportAnswerBytes(guests: number): number {
  return 64 * 1024 + guests * 8 * 1024;
}

/** One guest as the appliance's import takes it; every field but pid and actions is optional. */
export interface GuestAccountItem {
  pid: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  telephone?: string;
  company?: string;
  notes?: string;
  /** Absent: the appliance makes one up and answers with it. */
  password?: string;
  /** "YYYY-MM-DD HH:MM:SS" in the appliance's time zone. */
  valid_from: string;
  expiration: string;
  /** Required by the appliance, which dies on anything but an array. */
  actions: { type: string; value: string }[];
}

export interface BulkImportRequest {
  items: GuestAccountItem[];
  /** Leave existing guests untouched (409), rather than replacing their password. */
  ignoreUpdateIfExists: boolean;
}

/** What became of one item, in the order sent. */
export type GuestAccountResult =
  /** Saved, and its password entry replaced by `password`. */
  | { status: "saved"; isNew: boolean; password: string }
  /** Left as it was, since `ignoreUpdateIfExists` was set. */
  | { status: "exists" }
  /** Refused (422), with the appliance's reasons, e.g. `email: invalid format`. */
  | { status: "refused"; reason: string }
  /** Any other status for this item, e.g. 424 after a stop on first error. */
  | { status: "other"; httpStatus: number; reason: string };

export function classifyBulkImportReply(
  reply: Reply,
  sent: number,
  now: number = Date.now(),
): GuestAccountResult[] | AxelnacError {
  const context: CallContext = { operation: "bulk_import", guests: sent };
  if (!isSuccess(reply.status)) return classifyFailure(reply, context, now);
  const json = reply.body.json;
  if (!isRecord(json)) return notTheApi(reply, context);
  const { items } = json;
  if (!Array.isArray(items) || items.length !== sent) {
    const got = Array.isArray(items) ? `${items.length} results` : "no list of results";
    return new UnexpectedResponseError(
      `${describeCall(context)} answered ${reply.status} with ${got} for ${plural(sent, "guest")}`,
      { operation: "bulk_import", status: reply.status },
    );
  }
  const results: GuestAccountResult[] = [];
  for (const [index, item] of items.entries()) {
    const result = itemResult(item);
    if (result === undefined) {
      return new UnexpectedResponseError(
        `${describeCall(context)} answered ${reply.status} with an unreadable result for item ${index + 1}`,
        { operation: "bulk_import", status: reply.status },
      );
    }
    results.push(result);
  }
  return results;
}

function itemResult(item: unknown): GuestAccountResult | undefined {
  if (!isRecord(item) || typeof item.status !== "number") return undefined;
  const { status } = item;
  if (status === 200) {
    // A saved guest without its password would get no SMS a guest could use: not a success.
    if (typeof item.password !== "string" || item.password.length === 0) return undefined;
    return {
      status: "saved",
      isNew: item.isNew === true || item.isNew === 1,
      password: item.password,
    };
  }
  if (status === 409) return { status: "exists" };
  const reason = itemReason(item);
  return status === 422
    ? { status: "refused", reason }
    : { status: "other", httpStatus: status, reason };
}

/** `email: invalid format; pid: Missing pid`, or the item's message when it lists no errors. */
function itemReason(item: Record<string, unknown>): string {
  const errors = Array.isArray(item.errors) ? item.errors.filter(isRecord) : [];
  const parts = errors.map((error) =>
    [error.field, error.message].filter((part) => typeof part === "string").join(": "),
  );
  const message = typeof item.message === "string" ? item.message : `status ${String(item.status)}`;
  return truncate(parts.length > 0 ? parts.join("; ") : message);
}
