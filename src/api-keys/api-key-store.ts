import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type Redis from "ioredis";
import type { KeyRing } from "../secrets";
import { type ApiKeyKeys, apiKeyKeys, sealWebhookSecret } from "./api-key-record";
import { parseApiKey } from "./api-key-text";
import { CheckedKeyCache, DEFAULT_CHECK_CACHE_MS } from "./checked-key-cache";

/** What is known of a key, never its secret nor its hash: what `api-keys list` shows. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | undefined;
  webhookUrl: string | undefined;
}

/** A key just made: the only moment its text (and its webhook's signing secret) exists in the clear. */
export interface CreatedApiKey extends ApiKeyInfo {
  /** `<id>.<secret>`: what a client sends as `Authorization: Bearer <key>`. Shown once. */
  key: string;
  /** The secret the key's webhook requests are signed with, when it has a webhook. Shown once. */
  webhookSecret: string | undefined;
}

export interface NewApiKey {
  name: string;
  /** Scope names; the caller checks them (src/serve/scopes.ts), this store keeps them as given. */
  scopes: readonly string[];
  /** Where outcomes are POSTed (src/webhooks); http or https only. */
  webhookUrl?: string;
}

/** What a presented key turned out to be. `invalid` covers a malformed, unknown or wrong key alike. */
export type KeyCheck =
  | { status: "valid"; key: ApiKeyInfo }
  | { status: "revoked"; key: ApiKeyInfo }
  | { status: "invalid" };

/** A bad name, scope or webhook URL given to `create`; the message names the field. */
export class ApiKeyInputError extends Error {
  override name = "ApiKeyInputError";
}

const SECRET_BYTES = 32;
const ID_BYTES = 8;
/** Compared against when the id is unknown, so that an unknown id costs what a wrong secret does. */
const NO_HASH = Buffer.alloc(32);

/**
 * The HTTP API's keys, in Redis as src/api-keys/api-key-record.ts lays them out.
 *
 * Only a SHA-256 hash of each key's secret is stored. A slow password hash (scrypt, bcrypt) exists
 * to make guessing a weak, human-chosen password expensive; these secrets are 32 random bytes,
 * which no amount of guessing reaches, so a slow hash would buy nothing and cost CPU on every
 * request. An HMAC under a server key would add nothing either: a copy of Redis does not bring a
 * 256-bit secret within reach. The hash is compared in constant time.
 */
export class ApiKeyStore {
  readonly #redis: Redis;
  readonly #keys: ApiKeyKeys;
  readonly #ring: KeyRing | undefined;
  readonly #checked: CheckedKeyCache;

  /**
   * `checkCacheMs`: how long `check` believes what it found for a key (valid, or revoked) before
   * asking Redis again; a key revoked by another process is refused within it (0: ask every time).
   */
  constructor(
    redis: Redis,
    keyPrefix: string,
    queueName: string,
    ring: KeyRing | undefined,
    checkCacheMs = DEFAULT_CHECK_CACHE_MS,
  ) {
    this.#redis = redis;
    this.#keys = apiKeyKeys(keyPrefix, queueName);
    this.#ring = ring;
    this.#checked = new CheckedKeyCache(checkCacheMs);
  }

  async create(input: NewApiKey, now = new Date()): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (name === "") throw new ApiKeyInputError("name: must not be empty");
    if (input.scopes.length === 0) throw new ApiKeyInputError("scope: give at least one");
    const badScope = input.scopes.find((scope) => !/^\S+$/.test(scope));
    if (badScope !== undefined)
      throw new ApiKeyInputError("scope: must not be empty or hold a blank");
    if (input.webhookUrl !== undefined) checkWebhookUrl(input.webhookUrl);
    const scopes = [...new Set(input.scopes)];
    const id = randomBytes(ID_BYTES).toString("hex");
    const secret = randomBytes(SECRET_BYTES).toString("base64url");
    const recordKey = this.#keys.key(id);
    const record: Record<string, string> = {
      name,
      scopes: scopes.join(" "),
      hash: hashSecret(secret),
      createdAt: String(now.getTime()),
    };
    let webhookSecret: string | undefined;
    if (input.webhookUrl !== undefined) {
      webhookSecret = `whsec_${randomBytes(SECRET_BYTES).toString("base64url")}`;
      record.webhookUrl = input.webhookUrl;
      record.webhookSecret = sealWebhookSecret(this.#ring, webhookSecret, recordKey);
    }
    await this.#redis.multi().hset(recordKey, record).sadd(this.#keys.ids, id).exec();
    return {
      id,
      name,
      scopes,
      createdAt: now,
      revokedAt: undefined,
      webhookUrl: input.webhookUrl,
      key: `${id}.${secret}`,
      webhookSecret,
    };
  }

  /** Every key, oldest first. */
  async list(): Promise<ApiKeyInfo[]> {
    const ids = await this.#redis.smembers(this.#keys.ids);
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hmget(this.#keys.key(id), ...INFO_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const keys = ids.flatMap((id, i) => {
      const [error, fields] = replies[i] ?? [null, null];
      if (error) throw error;
      const info = toInfo(id, fields as (string | null)[]);
      return info ? [info] : [];
    });
    return keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async find(id: string): Promise<ApiKeyInfo | undefined> {
    return toInfo(id, await this.#redis.hmget(this.#keys.key(id), ...INFO_FIELDS));
  }

  /** Marks a key revoked (it stays listed); false when there is no such key. Revoking twice keeps the first time. */
  async revoke(id: string, now = new Date()): Promise<boolean> {
    const recordKey = this.#keys.key(id);
    if ((await this.#redis.exists(recordKey)) === 0) return false;
    await this.#redis.hsetnx(recordKey, "revokedAt", String(now.getTime()));
    this.#checked.forget(id);
    return true;
  }

  /**
   * What the key a client presented is, in one round trip, or none when the same key was checked
   * within `checkCacheMs`; the secret compared in constant time either way.
   */
  async check(presented: string): Promise<KeyCheck> {
    const parsed = parseApiKey(presented);
    if (!parsed) return { status: "invalid" };
    const given = createHash("sha256").update(parsed.secret).digest();
    const cached = this.#checked.get(parsed.id, given);
    if (cached) return cached;
    const [hash, ...fields] = await this.#redis.hmget(
      this.#keys.key(parsed.id),
      "hash",
      ...INFO_FIELDS,
    );
    const stored = hash ? Buffer.from(hash, "hex") : NO_HASH;
    const matches = stored.length === given.length && timingSafeEqual(stored, given);
    const key = toInfo(parsed.id, fields);
    if (!hash || !matches || !key) return { status: "invalid" };
    const check: KeyCheck = key.revokedAt ? { status: "revoked", key } : { status: "valid", key };
    this.#checked.set(parsed.id, given, check);
    return check;
  }
}

const INFO_FIELDS = ["name", "scopes", "createdAt", "revokedAt", "webhookUrl"] as const;

function toInfo(id: string, fields: (string | null)[]): ApiKeyInfo | undefined {
  const [name, scopes, createdAt, revokedAt, webhookUrl] = fields;
  if (name == null || scopes == null || createdAt == null) return undefined;
  return {
    id,
    name,
    scopes: scopes.split(" ").filter((scope) => scope !== ""),
    createdAt: new Date(Number(createdAt)),
    revokedAt: revokedAt ? new Date(Number(revokedAt)) : undefined,
    webhookUrl: webhookUrl ?? undefined,
  };
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A webhook is POSTed to: an absolute http or https URL, without credentials in it. */
function checkWebhookUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ApiKeyInputError("webhook: not a URL: give an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiKeyInputError("webhook: must be an http:// or https:// URL");
  }
  if (url.username || url.password) {
    throw new ApiKeyInputError(
      "webhook: must not carry a user or password (requests are signed instead)",
    );
  }
}
