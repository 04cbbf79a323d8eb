import type { FastifyInstance } from "fastify";
import { UPLOAD_LIMIT_BYTES } from "./batch-upload-body";
import { postCsvUpload } from "./csv-upload-route";
import { registrationQuery, registrationResult } from "./registration-schemas";
import { onboardUpload, type RegistrationRouteDeps } from "./registration-upload";

export type { RegistrationRouteDeps } from "./registration-upload";

/**
 * POST /v1/registrations: an event's registration export onboarded as `onboard FILE` onboards
 * one. A Fastify plugin: `app.register(registrationRoutes, deps)`.
 */
export async function registrationRoutes(
  app: FastifyInstance,
  deps: RegistrationRouteDeps,
): Promise<void> {
  const limitBytes = deps.uploadLimitBytes ?? UPLOAD_LIMIT_BYTES;
  await postCsvUpload(app, {
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
}
