import { describe, expect, it } from "vitest";
import { BLOB_URL_LIFETIME_SECONDS, blobPath, createBlobSigner } from "./signed-url.js";

const NOW = 1_800_000_000_500;
const GUID = "df11d304-09fa-4ae0-9158-db878077dde9";
const query = (url: string) => new URL(url).searchParams;

describe("signed blob URLs", () => {
  it("sign the path and the expiry, an hour from now in whole seconds", () => {
    const url = createBlobSigner(new Uint8Array(32)).url("http://127.0.0.1:4010", GUID, NOW);
    expect(url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:4010${blobPath(GUID)}\\?expires=1800003600&signature=[0-9a-f]{64}$`),
    );
    expect(BLOB_URL_LIFETIME_SECONDS).toBe(3600);
  });

  it("check good until the expiry second has passed, then say it expired", () => {
    const signer = createBlobSigner();
    const q = query(signer.url("http://x", GUID, NOW));
    expect(signer.check(GUID, q, NOW)).toBeNull();
    expect(signer.check(GUID, q, 1_800_003_600_000)).toBeNull();
    expect(signer.check(GUID, q, 1_800_003_600_001)).toEqual({ code: "AccessDenied", message: "Request has expired" });
  });

  it("refuse another package, another secret, a changed expiry, and missing parameters", () => {
    const signer = createBlobSigner();
    const url = signer.url("http://x", GUID, NOW);
    expect(signer.check("other-guid", query(url), NOW)?.code).toBe("SignatureDoesNotMatch");
    expect(createBlobSigner().check(GUID, query(url), NOW)?.code).toBe("SignatureDoesNotMatch");
    expect(signer.check(GUID, query(url.replace("expires=1800003600", "expires=1900000000")), NOW)?.code).toBe(
      "SignatureDoesNotMatch",
    );
    expect(signer.check(GUID, new URLSearchParams("expires=1800003600"), NOW)?.code).toBe("AccessDenied");
  });

  it("accept the signature in upper case too, as hex is read either way", () => {
    const signer = createBlobSigner();
    const url = signer.url("http://x", GUID, NOW);
    const upper = url.replace(/signature=(\w+)/, (_, hex: string) => `signature=${hex.toUpperCase()}`);
    expect(signer.check(GUID, query(upper), NOW)).toBeNull();
  });
});
