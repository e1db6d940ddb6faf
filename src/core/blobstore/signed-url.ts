/**
 * Signed, expiring blob URLs, as a remote blobstore hands them out (an S3 pre-signed URL, a
 * GCS signed URL): `GET /v3/packages/{guid}/download` redirects to one, and whoever holds it
 * may read the blob until it expires, with no Cloud Foundry token.
 *
 * The simulator's URLs look like
 * `<origin>/blobstore/packages/<guid>?expires=<unix seconds>&signature=<hex>`, where the
 * signature is HMAC-SHA256, with a secret drawn when the simulator is created, of
 * `<path>\n<expires>`. Changing the path, the expiry or the signature makes the URL
 * worthless; so does the passing of `expires` on the simulator's clock.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** How long a blob URL is good for, in seconds: the Cloud Controller's default signed-URL expiry. */
export const BLOB_URL_LIFETIME_SECONDS = 3600;

/** Where a package's blob is served: `/blobstore/packages/{guid}`. */
export const blobPath = (packageGuid: string) => `/blobstore/packages/${encodeURIComponent(packageGuid)}`;

/** Why a blob URL is refused, in the words an S3 bucket uses (HTTP 403). */
export interface SignatureProblem {
  code: "AccessDenied" | "SignatureDoesNotMatch";
  message: string;
}

export interface BlobSigner {
  /** A signed URL for the package's blob, good for {@link BLOB_URL_LIFETIME_SECONDS} from `nowMs`. */
  url(origin: string, packageGuid: string, nowMs: number): string;
  /**
   * Null when the query of a request for the package's blob carries a good signature, unexpired at
   * `nowMs`; otherwise why not.
   */
  check(packageGuid: string, query: URLSearchParams, nowMs: number): SignatureProblem | null;
}

/** A signer with a fresh random secret: URLs of one simulator are worthless to another. */
export function createBlobSigner(secret: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): BlobSigner {
  const sign = (path: string, expires: string) =>
    bytesToHex(hmac(sha256, secret, new TextEncoder().encode(`${path}\n${expires}`)));
  return {
    url(origin, packageGuid, nowMs) {
      const path = blobPath(packageGuid);
      const expires = String(Math.floor(nowMs / 1000) + BLOB_URL_LIFETIME_SECONDS);
      return `${origin}${path}?expires=${expires}&signature=${sign(path, expires)}`;
    },
    check(packageGuid, query, nowMs) {
      const expires = query.get("expires");
      const signature = query.get("signature");
      if (expires === null || signature === null) {
        return {
          code: "AccessDenied",
          message: "Query-string authentication requires the expires and signature parameters",
        };
      }
      const expected = sign(blobPath(packageGuid), expires);
      if (!/^\d+$/.test(expires) || !sameText(signature.toLowerCase(), expected)) {
        return {
          code: "SignatureDoesNotMatch",
          message: "The request signature we calculated does not match the signature you provided.",
        };
      }
      if (nowMs > Number(expires) * 1000) return { code: "AccessDenied", message: "Request has expired" };
      return null;
    },
  };
}

/** Compares in time that does not depend on where the texts differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
