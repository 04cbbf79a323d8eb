import type { RouteOptions } from "fastify";
import { request } from "undici";
import { validateOpenApi } from "./openapi-validator";
import { ServeHarness } from "./serve-harness";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components: { securitySchemes: Record<string, unknown> };
}

interface OperationObject {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { anyOf?: unknown[] } }> };
  responses: Record<string, unknown>;
}

describe("serve: the OpenAPI document", () => {
  const routes: RouteOptions[] = [];
  let h: ServeHarness;
  let document: OpenApiDocument;
  beforeAll(async () => {
    h = await ServeHarness.start({ onRoute: (route) => routes.push(route) });
    const answer = await h.call("GET", "/openapi.json");
    expect(answer.status).toBe(200);
    document = answer.body as unknown as OpenApiDocument;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    const validation = await validateOpenApi(document);
    expect(validation.errors).toBeUndefined();
    expect(validation).toMatchObject({ valid: true, version: "3.1" });
    // The same document, broken, is refused: the check above can fail.
    const broken = await validateOpenApi({ ...document, info: undefined });
    expect(broken.valid).toBe(false);
  });

  it("describes every route the app registered, with its method", () => {
    const api = routes
      .flatMap((route) => [route.method].flat().map((method) => ({ method, url: route.url })))
      .filter(({ method, url }) => method !== "HEAD" && !url.startsWith("/docs"))
      .filter(({ url }) => url !== "/openapi.json");
    // The routes this module adds, at least: the collection is not empty by accident.
    expect(api).toEqual(
      expect.arrayContaining([
        { method: "POST", url: "/v1/deliveries" },
        { method: "GET", url: "/v1/deliveries/:id" },
      ]),
    );
    const missing = api.filter(({ method, url }) => {
      const path = url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      return document.paths[path]?.[method.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it("declares the bearer scheme and marks every route that needs a key with it", () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    const keyed = routes.filter((route) => route.config?.scope && route.method !== "HEAD");
    expect(keyed.length).toBeGreaterThanOrEqual(2);
    for (const route of keyed) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      const operation = document.paths[path]?.[String(route.method).toLowerCase()];
      expect(operation?.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(["400", "401", "403", "429", "500", "503"]),
      );
    }
  });

  it("documents the deliveries' body with the job contract's schema, one guest or many", () => {
    const post = document.paths["/v1/deliveries"]?.post;
    const schema = post?.requestBody?.content["application/json"]?.schema;
    expect(JSON.stringify(schema)).toContain('"pid"');
    expect(JSON.stringify(schema)).toContain('"deliveries"');
    expect(JSON.stringify(schema)).not.toContain("submitted_by");
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(["202", "422"]));
  });

  it("is browsable at /docs, without a key", async () => {
    const page = await request(`${h.url}/docs/`);
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(await page.body.text()).toMatch(/swagger/i);
  });
});
