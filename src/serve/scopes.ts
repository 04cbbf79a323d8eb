import type {} from "fastify";

/**
 * What an API key may do. A route names the one scope it needs in its `config.scope`; the
 * authentication hook (src/serve) refuses a key without it (403 API_KEY_SCOPE).
 */
export const SCOPES = [
  "deliveries:write",
  "deliveries:read",
  "batches:write",
  "batches:read",
  "registrations:write",
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(text: string): text is Scope {
  return (SCOPES as readonly string[]).includes(text);
}

/** The key a request was authenticated with; set by the authentication hook. */
export interface AuthenticatedKey {
  id: string;
  name: string;
  scopes: readonly Scope[];
}

declare module "fastify" {
  interface FastifyRequest {
    apiKey?: AuthenticatedKey;
  }
  interface FastifyContextConfig {
    /** The scope an API key needs for this route; a route without one needs no key. */
    scope?: Scope;
  }
}
