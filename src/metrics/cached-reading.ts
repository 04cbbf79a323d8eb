/**
 * A reading taken at scrape time (queue counts from Redis), shared: a scrape within `maxAgeMs` of
 * the last reading gets it again, and scrapes that arrive while a reading is under way wait for
 * that one. A scrape storm costs Redis one reading per `maxAgeMs`, and an unanswered reading (Redis
 * away) is never repeated while it waits.
 */
export interface CachedReadingOptions {
  /** How long a reading is served again. */
  maxAgeMs: number;
  /** How long a scrape waits for a reading before it goes without. */
  timeoutMs: number;
}

/** Returns a function that resolves to a fresh enough reading, or undefined if none came in time. */
export function cachedReading<T>(
  read: () => Promise<T>,
  options: CachedReadingOptions,
): () => Promise<T | undefined> {
  let last: { value: T | undefined; at: number } | undefined;
  let underWay: Promise<T | undefined> | undefined;
  return async () => {
    if (last && Date.now() - last.at < options.maxAgeMs) return last.value;
    underWay ??= read()
      .catch(() => undefined)
      .then((value) => {
        last = { value, at: Date.now() };
        underWay = undefined;
        return value;
      });
    return withinTimeout(underWay, options.timeoutMs);
  };
}

function withinTimeout<T>(promise: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
