/** How the client trusts the appliance's certificate. */
import { rootCertificates } from "node:tls";

export interface TrustSettings {
  /** PEM text of the CA (or self-signed certificate) to trust: AXELNAC_CA_FILE's content. */
  ca?: string | undefined;
  /** Explicit opt-in to skip verification altogether. */
  insecureSkipTlsVerify?: boolean | undefined;
}

export interface TlsConnectOptions {
  ca?: string[];
  rejectUnauthorized: boolean;
}

/**
 * Verified by default. A given CA is trusted in addition to Node's public roots (as
 * NODE_EXTRA_CA_CERTS does), so pointing AXELNAC_CA_FILE at a private CA never breaks an appliance
 * whose certificate is public.
 */
export function tlsConnectOptions(settings: TrustSettings): TlsConnectOptions {
  if (settings.insecureSkipTlsVerify) return { rejectUnauthorized: false };
  if (settings.ca === undefined) return { rejectUnauthorized: true };
  if (!settings.ca.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      "AxelNAC CA is not PEM text: expected a -----BEGIN CERTIFICATE----- block (AXELNAC_CA_FILE must name a PEM file)",
    );
  }
  return { ca: [...rootCertificates, settings.ca], rejectUnauthorized: true };
}
