import { toFailure } from "../outcome";
import type { TokenManager } from "./token-manager";

/**
 * Runs `call` with the fleet's token. When the appliance rejects the token (failure class
 * `token_rejected`: idle, past its lifetime, revoked), the token is invalidated fleet-wide —
 * unless another process already replaced it — and the call is made again at once with the new one.
 * Repeated rejections of fresh tokens mean something the clock cannot fix, so it gives up after a few.
 */
export async function callWithToken<T>(
  tokens: Pick<TokenManager, "getToken" | "invalidate">,
  call: (token: string) => Promise<T>,
  maxRefreshes = 2,
): Promise<T> {
  for (let refreshes = 0; ; refreshes++) {
    const token = await tokens.getToken();
    try {
      return await call(token);
    } catch (error) {
      if (toFailure(error).failureClass !== "token_rejected" || refreshes >= maxRefreshes) {
        throw error;
      }
      await tokens.invalidate(token);
    }
  }
}
