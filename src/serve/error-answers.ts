import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isConnectionLoss } from "../redis/answer-within";
import { ApiError } from "./api-error";
import { apiError } from "./api-error-codes";

/** One thing wrong with a request: where (body, params…), which field (null: the whole), what. */
export interface RequestProblem {
  in: string;
  field: string | null;
  message: string;
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

type FastifyishError = Error & {
  code?: string;
  statusCode?: number;
  validation?: ValidationItem[];
  validationContext?: string;
};

/**
 * Every error answers as `{"error": {"code", "message", "details"?}}`; so does a request for a
 * route that does not exist. Only a failure of the courier itself is logged (at error level, with
 * its stack); the client's mistakes are the client's, and its request logged line says the status.
 */
export function answerErrorsAsJson(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler(errorAnswer(bodyLimitBytes));
  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split("?")[0] ?? "").slice(0, 200);
    const answer = apiError("NOT_FOUND", `no route ${request.method} ${path}`);
    return reply.code(answer.statusCode).send(answer.toBody());
  });
}

/**
 * The error handler: also Fastify's `frameworkErrors` option, for the errors its router meets
 * before any route (a malformed or too long path), which it would otherwise answer in its own
 * shape, quoting the path.
 */
export function errorAnswer(bodyLimitBytes: number) {
  return (error: FastifyishError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toApiError(error, bodyLimitBytes);
    if (answer.statusCode >= 500) {
      request.log.error({ err: error, code: answer.code }, "request failed");
    }
    return reply.code(answer.statusCode).send(answer.toBody());
  };
}

/** What the client is told of an error: its message is ours, never a value the request carried. */
export function toApiError(error: FastifyishError, bodyLimitBytes: number): ApiError {
  if (error instanceof ApiError) return error;
  if (Array.isArray(error.validation)) return invalidRequest(error);
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return apiError("BODY_TOO_LARGE", `the body is larger than ${bodyLimitBytes} bytes`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return apiError(
        "UNSUPPORTED_MEDIA_TYPE",
        "this route does not take a body of that Content-Type: send application/json",
      );
    // Fastify's own messages for these are fixed sentences: a JSON parser's would quote the body.
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return apiError("REQUEST_INVALID", "the body is not valid JSON");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return apiError("REQUEST_INVALID", "the body is empty: send a JSON object");
    case "FST_ERR_BAD_URL":
      return apiError("REQUEST_INVALID", "the URL's path is not valid (a malformed %-escape)");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ApiError(414, "REQUEST_INVALID", "a part of the URL's path is too long");
    case "COURIER_REDIS_UNREACHABLE":
      return redisUnreachable();
    case "COURIER_REDIS_REFUSED":
      return apiError(
        "COURIER_REDIS_REFUSED",
        "Redis, where deliveries are queued, refused to write them (out of memory, or read-only); nothing was enqueued",
      );
  }
  if (/Command timed out/.test(error.message) || isConnectionLoss(error)) return redisUnreachable();
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500 && error.code?.startsWith("FST_")) {
    return new ApiError(status, "REQUEST_INVALID", `the request is not valid (${error.code})`);
  }
  return apiError("COURIER_INTERNAL_ERROR", "the courier failed to answer; it has logged why");
}

function redisUnreachable(): ApiError {
  return apiError(
    "COURIER_REDIS_UNREACHABLE",
    "Redis, where deliveries are queued, is not answering: try again later",
  );
}

/** Each field the schema refused and why; zod's messages never quote the value (it may be a password). */
function invalidRequest(error: FastifyishError): ApiError {
  const where = error.validationContext ?? "request";
  const details: RequestProblem[] = (error.validation ?? []).map((item) => {
    const field = (item.instancePath ?? "").split("/").filter(Boolean).join(".");
    return { in: where, field: field || null, message: item.message ?? "is invalid" };
  });
  return requestInvalid(where, details);
}

/**
 * 400 REQUEST_INVALID for what is wrong with a request, as its schema's refusals are answered: a
 * route's own checks of the request (choices that do not hold together) answer the same way.
 */
export function requestInvalid(where: string, details: RequestProblem[]): ApiError {
  const summary = details
    .slice(0, 5)
    .map((problem) => (problem.field ? `${problem.field}: ${problem.message}` : problem.message))
    .join("; ");
  return apiError("REQUEST_INVALID", `invalid ${where}: ${summary}`, details);
}
