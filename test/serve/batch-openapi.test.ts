import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type BatchApp, startBatchApp } from "../support/batch-app";
import { REPO_ROOT } from "../support/processes";
import { testRedisUrl } from "../support/redis";

describe("the batch routes' OpenAPI document", () => {
  let server: BatchApp;
  const tmp = mkdtempSync(join(tmpdir(), "batch-openapi-"));

  beforeAll(async () => {
    const config = loadConfig({
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: `test-${randomUUID()}`,
      REDIS_KEY_PREFIX: `test:openapi:${randomUUID().slice(0, 8)}`,
    });
    server = await startBatchApp(config, { logger: createLogger({ level: "silent" }) });
  });

  afterAll(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("documents every batch route, the CSV body and the answers, and validates as OpenAPI 3.1", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON
    const document = server.app.swagger() as any;
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as object).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      "get /v1/batches/{id}",
      "get /v1/batches/{id}/failed",
      "post /v1/batches",
      "post /v1/batches/{id}/failed/retry",
    ]);
    for (const { operation } of operations) expect(operation.summary).toEqual(expect.any(String));
    const upload = document.paths["/v1/batches"].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(["text/csv"]);
    expect(upload.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["batch", "source_id", "encoding", "resend"]),
    );
    expect(Object.keys(upload.responses).sort()).toEqual(["202", "400", "413", "422", "503"]);

    const file = join(tmp, "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    const validator = join(REPO_ROOT, "node_modules", ".bin", "validate-api");
    const { stdout } = await promisify(execFile)(validator, [file]).catch((failed) => failed);
    expect(JSON.parse(stdout)).toEqual({ valid: true });
  });
});
