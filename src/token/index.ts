export { callWithToken } from "./call-with-token";
export { LoginBackoffError } from "./errors";
export { TokenManager, type TokenManagerOptions } from "./token-manager";
export { type LoginFailure, type StoredToken, TokenStore } from "./token-store";
