import type Redis from "ioredis";

type Replies = [Error | null, unknown][] | null;
/** A transaction as ioredis and BullMQ's client type both describe it. */
type Transaction = { exec(): Promise<Replies> };

/**
 * Runs the transaction `fill` queues, and once more when Redis did not know one of its scripts
 * (NOSCRIPT). ioredis sends a script's text the first time it uses it on a connection and only
 * its SHA-1 after; a transaction Redis discarded as a whole (EXECABORT: out of memory, a key it
 * may not write) never ran that text, yet ioredis counts it as sent, and its later transactions
 * keep sending the SHA-1 of a script Redis never loaded. So the connection's scripts are loaded
 * (SCRIPT LOAD) before the second run. `fill` must queue the same commands each time: BullMQ's
 * adds carry their job ids, so a job already written is not written twice.
 *
 * `client` is an ioredis connection, or BullMQ's client for one (ioredis behind a proxy that
 * passes on what it does not name itself, its scripts and SCRIPT LOAD included).
 */
export async function execWithScripts<T extends Transaction>(
  client: { multi(): T },
  fill: (transaction: T) => void,
): Promise<Replies> {
  const replies = await execOnce(client, fill);
  if (!replies?.some(([error]) => error?.message.startsWith("NOSCRIPT"))) return replies;
  const redis = client as unknown as Redis & { scriptsSet?: Record<string, { lua: string }> };
  await Promise.all(
    Object.values(redis.scriptsSet ?? {}).map(({ lua }) => redis.script("LOAD", lua)),
  );
  return execOnce(client, fill);
}

function execOnce<T extends Transaction>(
  client: { multi(): T },
  fill: (transaction: T) => void,
): Promise<Replies> {
  const transaction = client.multi();
  fill(transaction);
  return transaction.exec();
}
