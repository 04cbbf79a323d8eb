import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/processes";

interface Service {
  image?: string;
  command?: string[];
  profiles?: string[];
  env_file?: unknown;
  restart?: string;
  environment?: Record<string, string>;
  volumes?: { type: string; source: string; target: string; read_only?: boolean }[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
}

const text = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const { redis, simulator, worker } = compose.services as Record<string, Service>;

/**
 * Compose's interpolation of `${VAR}`, `${VAR:-default}`, `${VAR:+replacement}` and
 * `${VAR:?error}` (and `$$`), as `docker compose config` does it, for the values the tests read.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z_]+)(?:(:-|:\+|:\?)([^}]*))?\}/g, (whole, name, op, arg) => {
    if (whole === "$$") return "$";
    const set = env[name] !== undefined && env[name] !== "";
    if (op === ":-") return set ? (env[name] as string) : arg;
    if (op === ":+") return set ? arg : "";
    if (op === ":?" && !set) throw new Error(`${name}: ${arg}`);
    return env[name] ?? "";
  });
}

describe("docker-compose.yml", () => {
  it("is a valid Compose file by the Compose Specification's JSON schema", () => {
    const schema = JSON.parse(
      readFileSync(require.resolve("docker-compose/schema/compose-spec.json"), "utf8"),
    ) as Record<string, unknown>;
    // Ajv knows draft-07 by its own $id, written with a trailing "#".
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    // Validated as `docker compose` does: after its interpolation, with what .env would give.
    const interpolated = parse(text, {
      merge: true,
      reviver: (_, value) =>
        typeof value === "string"
          ? interpolate(value, { REDIS_PASSWORD: "s3cret", AXELNAC_CA_FILE: "./ca.pem" })
          : value,
    });
    validate(interpolated);
    expect(validate.errors ?? []).toEqual([]);
  });

  it("gives every courier service all of .env, if there is one, and restarts it unless stopped", () => {
    for (const service of [worker, simulator]) {
      expect(service?.env_file).toEqual([{ path: ".env", required: false }]);
      expect(service?.restart).toBe("unless-stopped");
    }
    expect(redis?.restart).toBe("unless-stopped");
  });

  it("starts the simulator only in the demo profile, never on a plain `up`", () => {
    expect(simulator?.profiles).toEqual(["demo"]);
    expect(worker?.profiles).toBeUndefined();
    expect(redis?.profiles).toBeUndefined();
    // The worker waits for the simulator when the profile runs it, and starts without it otherwise.
    expect(worker?.depends_on?.simulator).toEqual({
      condition: "service_started",
      required: false,
    });
    expect(worker?.depends_on?.redis).toEqual({ condition: "service_healthy" });
  });

  it("runs Redis with REDIS_PASSWORD, checks its health with it, and hands it to the worker in REDIS_URL", () => {
    const env = { REDIS_PASSWORD: "s3cret" };
    const command = (redis?.command ?? []).map((word) => interpolate(word, env));
    expect(command[command.indexOf("--requirepass") + 1]).toBe("s3cret");
    expect(command).toEqual(expect.arrayContaining(["--maxmemory-policy", "noeviction"]));
    expect(interpolate(redis?.environment?.REDISCLI_AUTH ?? "", env)).toBe("s3cret");
    expect(redis?.healthcheck?.test.join(" ")).toMatch(/redis-cli ping/);
    expect(interpolate(worker?.environment?.REDIS_URL ?? "", env)).toBe(
      "redis://:s3cret@redis:6379",
    );
    // Without a password nothing starts: compose stops and names it.
    expect(() => interpolate(redis?.command?.at(-1) ?? "", {})).toThrow(/REDIS_PASSWORD/);
    expect(() => interpolate(worker?.environment?.REDIS_URL ?? "", {})).toThrow(/REDIS_PASSWORD/);
  });

  it("mounts the host's AXELNAC_CA_FILE read-only where the worker's AXELNAC_CA_FILE points", () => {
    const [mount] = worker?.volumes ?? [];
    const withCa = { AXELNAC_CA_FILE: "./certs/appliance-ca.pem" };
    expect(interpolate(mount?.source ?? "", withCa)).toBe("./certs/appliance-ca.pem");
    expect(mount?.read_only).toBe(true);
    expect(interpolate(worker?.environment?.AXELNAC_CA_FILE ?? "", withCa)).toBe(mount?.target);
    // Without one the worker's AXELNAC_CA_FILE is empty (unset) and the mount reads nothing.
    expect(interpolate(worker?.environment?.AXELNAC_CA_FILE ?? "", {})).toBe("");
    expect(interpolate(mount?.source ?? "", {})).toBe("/dev/null");
  });

  it("runs the worker as the image's command, so `docker compose run worker import …` runs import", () => {
    expect(worker?.command).toEqual(["worker"]);
    const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
    const entrypoints = dockerfile.split("\n").filter((line) => line.startsWith("ENTRYPOINT"));
    // `--`: Node leaves every argument to the command, --env-file too.
    expect(entrypoints.at(-1)).toBe('ENTRYPOINT ["node", "--", "dist/src/cli/main.js"]');
    expect(dockerfile).toMatch(/^FROM node:24-/m);
  });
});
