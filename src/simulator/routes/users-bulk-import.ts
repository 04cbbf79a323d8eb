import type { ApiContext, ApiHandler, ApiReply, ApiRequest } from "../api-context";
import { importItemErrors, isPerlTrue, perlString } from "../bulk-import-item";
import { bearerToken } from "../front-end";
import { generatedPassword } from "../generated-password";
import type { StoredGuest } from "../guest-directory";
import { isRecord, parseJson } from "../http-io";
import { BAD_REQUEST } from "./messages";

type Item = Record<string, unknown>;
type ItemResult = Record<string, unknown> & { status: number };
type PersonFields = Omit<StoredGuest, "pid" | "telephone" | "password"> & { telephone?: string };

/** The person fields an item may set (lib/pf/person.pm, `person_modify`), as far as modelled. */
const PERSON_FIELDS = ["firstname", "lastname", "email", "telephone", "company", "notes"] as const;

/** A Perl exception mid-request: earlier items stay done, the answer is a 500 with its text. */
class PerlDied extends Error {}

/**
 * POST /api/v1/users/bulk_import, as lib/pf/UnifiedApi/Controller/Users.pm (`bulk_import`,
 * `import_item`) does it (docs/axelnac-api.md §9): one result per item, in order. An item is
 * refused 422 (pid, e-mail), skipped 409 when it exists and `ignoreUpdateIfExists` is set (404
 * "Skip does not exists" for the reverse), or saved: the person created or updated, and the
 * password entry REPLACED, with the item's password or one the appliance makes up, which the
 * result carries. After a 422 with `stopOnFirstError`, the rest are 424 "Skipped".
 */
export const usersBulkImport: ApiHandler = (context, request, reply) => {
  const parsed = parseJson(request.body);
  if (!parsed.ok) {
    reply.json(400, { message: BAD_REQUEST, status: 400 });
    return;
  }
  const sponsor = currentUser(context, request);
  let results: ItemResult[];
  try {
    results = importAll(context, parsed.value, sponsor);
  } catch (error) {
    if (!(error instanceof PerlDied)) throw error;
    context.logger.info({ error: error.message }, "simulator: bulk_import died");
    reply.json(500, { message: error.message, status: 500 });
    return;
  }
  const cost = context.faults().bulkImportItemMs * results.length;
  context.logger.info({ items: results.length }, "simulator: users bulk_import answered");
  answerAfter(reply, cost, 200, { items: results, status: 200 });
};

function importAll(context: ApiContext, data: unknown, sponsor: string): ItemResult[] {
  if (!isRecord(data)) throw new PerlDied("Not a HASH reference");
  const items = data.items ?? [];
  if (!Array.isArray(items)) throw new PerlDied("Not an ARRAY reference");
  const stopOnError = isPerlTrue(perlString(data.stopOnFirstError));
  const results: ItemResult[] = [];
  let i = 0;
  for (; i < items.length; i++) {
    const result = importItem(context, data, asItem(items[i]), sponsor);
    results.push(result);
    if (stopOnError && result.status === 422) {
      i++;
      break;
    }
  }
  for (; i < items.length; i++) {
    const item = asItem(items[i]);
    const errors = importItemErrors(item);
    results.push({
      item,
      status: 424,
      message: "Skipped",
      ...(errors.length > 0 ? { errors } : {}),
    });
  }
  return results;
}

function importItem(context: ApiContext, request: Item, item: Item, sponsor: string): ItemResult {
  const errors = importItemErrors(item);
  if (errors.length > 0) return { item, errors, message: "Cannot save user", status: 422 };
  const pid = perlString(item.pid) as string;
  item.sponsor ??= sponsor;
  const exists = context.guests.has(pid);
  if (exists && isPerlTrue(perlString(request.ignoreUpdateIfExists))) {
    return { item, status: 409, message: "Skip already exists", isNew: false };
  }
  if (!exists && isPerlTrue(perlString(request.ignoreInsertIfNotExists))) {
    return { item, status: 404, message: "Skip does not exists", isNew: true };
  }
  const fields: PersonFields = {};
  for (const name of [...PERSON_FIELDS, "sponsor"] as const) {
    const value = perlString(item[name]);
    if (value !== undefined) fields[name] = value;
  }
  context.guests.save(pid, fields);

  // `@{$item->{actions}}`: Perl dies on anything but an array, after the person was saved.
  if (!Array.isArray(item.actions)) {
    throw new PerlDied(
      item.actions === undefined || item.actions === null
        ? "Can't use an undefined value as an ARRAY reference"
        : "Not an ARRAY reference",
    );
  }
  const given = perlString(item.password);
  const password = isPerlTrue(given) ? given : generatedPassword();
  context.guests.setPassword(pid, {
    fingerprint: context.outbox.fingerprint(password),
    ...optional("validFrom", perlString(item.valid_from)),
    ...optional("expiration", perlString(item.expiration)),
    ...optional("role", actionValue(item.actions, "set_role")),
    ...optional("accessDuration", actionValue(item.actions, "set_access_duration")),
  });
  return { item, status: 200, password, isNew: !exists };
}

/** The value of the first action of this type, as pf::password's `_update_field_for_action` takes it. */
function actionValue(actions: readonly unknown[], type: string): string | undefined {
  const found = actions.find((action) => isRecord(action) && action.type === type);
  return isRecord(found) ? perlString(found.value) : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Perl dereferences each item as a hash: anything else dies there. */
function asItem(value: unknown): Item {
  if (!isRecord(value)) throw new PerlDied("Not a HASH reference");
  return value;
}

/** The front end passes the account's name on (X-PacketFence-Username): the default sponsor. */
function currentUser(context: ApiContext, request: ApiRequest): string {
  const check = context.tokens.check(bearerToken(request), false);
  return check.ok ? check.session.username : "";
}

/** Answers once the items' cost has passed, holding the API worker (the gate slot) meanwhile. */
function answerAfter(reply: ApiReply, delayMs: number, status: number, body: unknown): void {
  if (delayMs <= 0) reply.json(status, body);
  else setTimeout(() => reply.json(status, body), delayMs).unref();
}
