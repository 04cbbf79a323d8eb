/**
 * Whether `promise` fulfils within `ms`: true if it does, false if the time runs out first (the
 * promise then goes on unobserved). A rejection within the time is thrown. For shutdowns, which
 * must end whatever is still open.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
