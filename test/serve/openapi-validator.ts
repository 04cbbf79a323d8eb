import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

export interface OpenApiValidation {
  valid: boolean;
  errors?: unknown;
  version: string;
}

/**
 * Validates an OpenAPI document with @seriousme/openapi-schema-validator. It is an ES module only,
 * which Jest's CommonJS runtime cannot load: it runs in a Node process of its own.
 */
export function validateOpenApi(document: unknown): Promise<OpenApiValidation> {
  const entry = pathToFileURL(
    `${dirname(require.resolve("@seriousme/openapi-schema-validator/package.json"))}/index.js`,
  ).href;
  const script = `
    import { Validator } from ${JSON.stringify(entry)};
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(text));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));
  `;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the validator failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as OpenApiValidation);
      },
    );
    child.stdin?.end(JSON.stringify(document));
  });
}
