import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/processes";

interface Service {
  image?: string;
  command?: string[];
  env_file?: unknown;
  restart?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: { source: string; target: string; read_only?: boolean }[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"), {
  merge: true,
}) as { services: Record<string, Service> };
const { serve, worker } = compose.services as Record<string, Service>;

/** Compose's `${VAR:-default}`, `${VAR:+replacement}` and `${VAR:?error}`, for the values read here. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?:(:-|:\+|:\?)([^}]*))?\}/g, (_, name, op, arg) => {
    const set = env[name] !== undefined && env[name] !== "";
    if (op === ":-") return set ? (env[name] as string) : arg;
    if (op === ":+") return set ? arg : "";
    if (op === ":?" && !set) throw new Error(`${name}: ${arg}`);
    return env[name] ?? "";
  });
}

describe("docker-compose.yml: the serve service", () => {
  it("runs `serve` from the workers' image, with all of .env, restarted unless stopped", () => {
    expect(serve?.command).toEqual(["serve"]);
    expect(serve?.image).toBe(worker?.image);
    expect(serve?.env_file).toEqual(worker?.env_file);
    expect(serve?.restart).toBe("unless-stopped");
    expect(serve?.depends_on?.redis).toEqual({ condition: "service_healthy" });
    expect(interpolate(serve?.environment?.REDIS_URL ?? "", { REDIS_PASSWORD: "s3cret" })).toBe(
      "redis://:s3cret@redis:6379",
    );
  });

  it("listens on every address inside its container, published on the host's loopback only", () => {
    expect(serve?.environment?.SERVE_HOST).toBe("0.0.0.0");
    const ports = (serve?.ports ?? []).map((port) => interpolate(port, {}));
    expect(ports).toEqual(["127.0.0.1:8080:8080"]);
    expect((serve?.ports ?? []).map((port) => interpolate(port, { SERVE_PORT: "9443" }))).toEqual([
      "127.0.0.1:9443:9443",
    ]);
  });

  it("mounts the host's TLS files read-only where its SERVE_TLS_*_FILE point, and none without them", () => {
    const files = { SERVE_TLS_CERT_FILE: "./tls/cert.pem", SERVE_TLS_KEY_FILE: "./tls/key.pem" };
    const [cert, key] = serve?.volumes ?? [];
    expect(interpolate(cert?.source ?? "", files)).toBe("./tls/cert.pem");
    expect(interpolate(key?.source ?? "", files)).toBe("./tls/key.pem");
    expect(cert?.read_only && key?.read_only).toBe(true);
    expect(interpolate(serve?.environment?.SERVE_TLS_CERT_FILE ?? "", files)).toBe(cert?.target);
    expect(interpolate(serve?.environment?.SERVE_TLS_KEY_FILE ?? "", files)).toBe(key?.target);
    expect(interpolate(serve?.environment?.SERVE_TLS_CERT_FILE ?? "", {})).toBe("");
    expect(interpolate(serve?.environment?.SERVE_TLS_KEY_FILE ?? "", {})).toBe("");
  });
});
