/** The AxelNAC REST client and its outcomes. */

export {
  BULK_IMPORT_PATH,
  type BulkImportRequest,
  bulkImportAnswerBytes,
  classifyBulkImportReply,
  type GuestAccountItem,
  type GuestAccountResult,
} from "./bulk-import";
export {
  classifyLoginReply,
  classifySendReply,
  classifyTokenInfoReply,
  classifyUserReply,
  type Delivered,
  type GuestRecord,
  type Reply,
} from "./classify";
export { classifyTransportFailure, type TransportFailure } from "./classify-network";
export {
  AxelnacClient,
  LOGIN_PATH,
  SEND_USER_CREDENTIALS_PATH,
  type SendUserCredentialsArgs,
  TOKEN_INFO_PATH,
  USER_PATH,
} from "./client";
export * from "./errors";
export type { ApiOperation, ExchangeObserver, ExchangeSeen } from "./exchange-observer";
export { type AxelnacClientOptions, CLIENT_DEFAULTS } from "./options";
export { DEFAULT_RETRY_AFTER_MS, parseRetryAfter } from "./retry-after";
