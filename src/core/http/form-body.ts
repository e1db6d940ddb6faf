/**
 * `application/x-www-form-urlencoded` request bodies (UAA's token endpoint), read up to a bound.
 */
import { concatBytes } from "../bytes.js";

/** The most bytes of a form body read; the rest is refused (a token request is well under 1 KiB). */
export const FORM_BODY_LIMIT = 64 * 1024;

const FORM_TYPE = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The form's text (empty when the body is not form-encoded, as a servlet reads no parameters
 * from it), or null when it is larger than {@link FORM_BODY_LIMIT}.
 */
export async function readFormText(request: Request): Promise<string | null> {
  if (!request.body) return "";
  if (!FORM_TYPE.test(request.headers.get("content-type") ?? "")) {
    await request.body.cancel().catch(() => {});
    return "";
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > FORM_BODY_LIMIT) {
    await request.body.cancel().catch(() => {});
    return null;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > FORM_BODY_LIMIT) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concatBytes(chunks));
}
