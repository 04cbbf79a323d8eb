import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../support/processes";
import { ServeHarness } from "./serve-harness";

describe("the batch routes' OpenAPI document", () => {
  let h: ServeHarness;
  const tmp = mkdtempSync(join(tmpdir(), "batch-openapi-"));

  beforeAll(async () => {
    h = await ServeHarness.start();
  });

  afterAll(async () => {
    await h?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("documents every batch route, the CSV body and the answers, and validates as OpenAPI 3.1", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON
    const document = h.server.app.swagger() as any;
    // The document describes the whole API: these are the batch routes' paths.
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/v1/batches"))
      .flatMap(([path, methods]) =>
        Object.entries(methods as object).map(([method, operation]) => ({
          path,
          method,
          operation,
        })),
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
    // Its own answers, and those of every route behind an API key (401, 403, 429, 500).
    expect(Object.keys(upload.responses).sort()).toEqual([
      "202",
      "400",
      "401",
      "403",
      "413",
      "422",
      "429",
      "500",
      "503",
    ]);

    const file = join(tmp, "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    const validator = join(REPO_ROOT, "node_modules", ".bin", "validate-api");
    const { stdout } = await promisify(execFile)(validator, [file]).catch((failed) => failed);
    expect(JSON.parse(stdout)).toEqual({ valid: true });
  });
});
