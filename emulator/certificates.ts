import { X509Certificate, createHash } from "node:crypto";

/**
 * A certificate credential on an app registration. Entra identifies the key a
 * client assertion was signed with by thumbprint: `x5t` (SHA-1) in most
 * libraries, `x5t#S256` (SHA-256) in Microsoft's current docs, so both are kept.
 */
export interface AppCertificate {
  /** SHA-1 of the DER certificate, base64url (the assertion header's `x5t`). */
  thumbprintSha1: string;
  /** SHA-256 of the DER certificate, base64url (the assertion header's `x5t#S256`). */
  thumbprintSha256: string;
  /** Upper-case hex SHA-1, as the Azure portal and Microsoft's error messages show it. */
  thumbprintHex: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  certificatePem: string;
  publicKeyPem: string;
}

export class CertificateError extends Error {}

export function certificateFromPem(pem: string): AppCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new CertificateError(`certificatePem: not a PEM X.509 certificate (${(err as Error).message})`);
  }
  const sha1 = createHash("sha1").update(cert.raw);
  return {
    thumbprintSha1: sha1.copy().digest("base64url"),
    thumbprintSha256: createHash("sha256").update(cert.raw).digest("base64url"),
    thumbprintHex: sha1.digest("hex").toUpperCase(),
    subject: cert.subject,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    certificatePem: cert.toString(),
    publicKeyPem: cert.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
