import type { FastifyInstance } from "fastify";
import type { RoutePlugin } from "../route-plugin";
import { UPLOAD_LIMIT_BYTES } from "./batch-upload-body";
import { postCsvUpload } from "./csv-upload-route";
import { registrationQuery, registrationResult } from "./registration-schemas";
import { onboardUpload } from "./registration-upload";

/**
 * POST /v1/registrations: an event's registration export onboarded as `onboard FILE` onboards
 * one, on serve's queue, its writes bounded by the connection's command timeout.
 */
export const registrationRoutes: RoutePlugin = registrationRoutesLimitedTo(UPLOAD_LIMIT_BYTES);

/** The registrations route refusing a CSV body over `limitBytes` (a test sets a small limit). */
export function registrationRoutesLimitedTo(limitBytes: number): RoutePlugin {
  return async (app, deps) => {
    await postCsvUpload(app as unknown as FastifyInstance, {
      url: "/v1/registrations",
      scope: "registrations:write",
      summary: "Onboard an event's registration export",
      description:
        "The body is the export (text/csv: name, e-mail, phone, company, with English or Russian " +
        "headers), onboarded as `onboard FILE` onboards it: every row checked, each good one a " +
        "guest whose account the workers create on the appliance before sending the password by " +
        "SMS. The query parameters are `onboard`'s flags; choices that cannot be used are refused " +
        `(400) before the body is read. A body over ${limitBytes} bytes is refused (413).`,
      tags: ["registrations"],
      querystring: registrationQuery,
      result: registrationResult,
      limitBytes,
      read: (upload) => onboardUpload(deps, upload, limitBytes),
    });
  };
}
