import type { FastifyInstance } from "fastify";
import type { ApiKeyStore } from "../api-keys/api-key-store";
import { apiError } from "./api-error-codes";
import { isScope } from "./scopes";

/**
 * Every route that names a scope (`config: { scope }`) needs `Authorization: Bearer <key>` of a
 * key that holds it; the request then carries the key (`request.apiKey`). A route without a scope
 * (the OpenAPI document, the docs, health checks) needs none. Runs first among the request's
 * hooks, so the rate limit and the routes see who is asking.
 */
export function authenticateRequests(
  app: FastifyInstance,
  apiKeys: Pick<ApiKeyStore, "check">,
): void {
  app.addHook("onRequest", async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (!scope) return;
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      throw apiError(
        "API_KEY_MISSING",
        'this route needs an API key: "Authorization: Bearer <key>"',
      );
    }
    const check =
      presented === null ? { status: "invalid" as const } : await apiKeys.check(presented);
    if (check.status === "invalid") {
      throw apiError(
        "API_KEY_INVALID",
        'the API key is not one this courier knows (send "Authorization: Bearer <key>", the key as `api-keys create` printed it)',
      );
    }
    if (check.status === "revoked") {
      throw apiError(
        "API_KEY_REVOKED",
        `the API key "${check.key.id}" was revoked on ${check.key.revokedAt?.toISOString()}`,
      );
    }
    if (!check.key.scopes.includes(scope)) {
      throw apiError(
        "API_KEY_SCOPE",
        `this API key lacks the scope ${scope}, which this route needs`,
      );
    }
    request.apiKey = {
      id: check.key.id,
      name: check.key.name,
      scopes: check.key.scopes.filter(isScope),
    };
  });
}

/** The key of `Bearer <key>` (the scheme in any case); undefined without a header, null for another form. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? (match[1] as string) : null;
}
