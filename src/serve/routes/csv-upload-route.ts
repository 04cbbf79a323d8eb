import { Readable } from "node:stream";
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Scope } from "../scopes";
import { apiErrorSchema } from "./batch-schemas";
import { acceptCsvBodies, charsetOf } from "./batch-upload-body";

/** A CSV upload as its route reads it. */
export interface CsvUpload<Query> {
  /** The request's own stream, unread: the reader takes the rows as they arrive. */
  body: Readable;
  query: Query;
  /** The Content-Type's charset, used when the query names no encoding. */
  charset: string | undefined;
  /** The id of the API key that uploads: every job's `submitted_by`. */
  submittedBy: string | undefined;
}

export interface CsvUploadRoute<Query extends z.ZodType, Result extends z.ZodType> {
  url: string;
  scope: Scope;
  summary: string;
  description: string;
  tags: string[];
  querystring: Query;
  /** The 202's body. */
  result: Result;
  limitBytes: number;
  /** Reads the upload; `bodyComplete` false when it stopped before the body's end. */
  read(
    upload: CsvUpload<z.output<Query>>,
  ): Promise<{ result: z.output<Result>; bodyComplete: boolean }>;
}

/**
 * A POST route whose body is a CSV file (text/csv), streamed to the reader, in a context of its
 * own: only it reads text/csv, and it reads nothing else. A Content-Length over the limit is
 * refused (413) before a byte is read. An answer given before the body's end closes the
 * connection, which cannot carry another request.
 */
export async function postCsvUpload<Query extends z.ZodType, Result extends z.ZodType>(
  app: FastifyInstance,
  route: CsvUploadRoute<Query, Result>,
): Promise<void> {
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    acceptCsvBodies(upload, route.limitBytes);
    // Untyped here: the zod compilers the app set still validate the query and serialize the answer.
    upload.post(
      route.url,
      {
        config: { scope: route.scope },
        schema: {
          summary: route.summary,
          description: route.description,
          tags: route.tags,
          consumes: ["text/csv"],
          querystring: route.querystring,
          // The stream itself: the parser hands it over unread, so there is nothing to validate.
          body: z.any().meta({ type: "string", description: "The registration CSV" }),
          response: {
            202: route.result,
            400: apiErrorSchema,
            413: apiErrorSchema,
            422: apiErrorSchema,
            503: apiErrorSchema,
          },
        },
      },
      async (request, reply) => {
        try {
          const { result, bodyComplete } = await route.read({
            // No body at all (no Content-Length, no chunks) reads as an empty file.
            body: request.body instanceof Readable ? request.body : Readable.from([]),
            query: request.query as z.output<Query>,
            charset: charsetOf(request.headers["content-type"]),
            submittedBy: request.apiKey?.id,
          });
          if (!bodyComplete) void reply.header("connection", "close");
          return reply.code(202).send(result);
        } catch (error) {
          if (!request.raw.readableEnded) void reply.header("connection", "close");
          throw error;
        }
      },
    );
  });
}
