export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __courierRedis?: { stop?: () => Promise<void> } }).__courierRedis;
  await state?.stop?.();
}
