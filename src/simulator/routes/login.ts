import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiHandler } from "../api-context";
import { isRecord, parseJson } from "../http-io";
import { LOGIN_REFUSED } from "./messages";

/** POST /api/v1/login: `{"username","password"}` → `{"token":"<64 hex>"}`. */
export const login: ApiHandler = (context, request, reply) => {
  const parsed = parseJson(request.body);
  if (!parsed.ok) {
    // The appliance's Go handler answers a decode error as plain text, not JSON.
    reply.text(400, "Unable to decode payload: the request body is not valid JSON\n");
    context.logger.info({ status: 400 }, "simulator: login refused, body is not JSON");
    return;
  }
  const { username, password } = isRecord(parsed.value) ? parsed.value : {};
  const accepted =
    typeof username === "string" &&
    typeof password === "string" &&
    sameSecret(username, context.credentials.username) &&
    sameSecret(password, context.credentials.password);
  if (!accepted) {
    context.stats.count("loginFailures");
    context.logger.info(
      { username: typeof username === "string" ? username : undefined, status: 401 },
      "simulator: login refused",
    );
    reply.json(401, { message: LOGIN_REFUSED });
    return;
  }
  const token = context.tokens.issue(username);
  context.stats.count("logins");
  context.logger.info({ username, status: 200 }, "simulator: login accepted");
  reply.json(200, { token });
};

/** Compares digests in constant time, so answer timing says nothing about the credentials. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
