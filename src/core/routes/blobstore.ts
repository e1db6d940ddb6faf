/**
 * The simulator's stand-in for a remote blobstore: `GET` (and `HEAD`)
 * `/blobstore/packages/{guid}?expires=…&signature=…`, where a download's 302 sends the
 * client. Like an S3 pre-signed URL it needs no Cloud Foundry token (an `Authorization`
 * header is ignored), and it answers in S3's words: 403 `AccessDenied` or
 * `SignatureDoesNotMatch` for a missing, altered or expired signature, then 404 `NoSuchKey`
 * once the package's bits are gone (the package deleted or expired), else 200 with the zip.
 * It is simulator-only: no Cloud Controller serves this path.
 */
import type { Context } from "../context.js";
import type { Answer } from "../http/answer.js";
import { zipAnswer } from "./package-download.js";

export async function handleBlobDownload(ctx: Context): Promise<Answer> {
  const guid = ctx.params.guid!;
  const head = ctx.request.method.toUpperCase() === "HEAD";
  const problem = ctx.services.blobSigner.check(guid, ctx.url.searchParams, ctx.services.now());
  if (problem) return blobstoreError(403, problem.code, problem.message, head);
  const pkg = ctx.state.packages.get(guid);
  if (!pkg?.blobId) return blobstoreError(404, "NoSuchKey", "The specified key does not exist.", head, guid);
  return zipAnswer(ctx.services.store, guid, pkg.blobId, head);
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`);

/** An S3-style error document (no body for HEAD, as S3 answers it). */
function blobstoreError(status: number, code: string, message: string, head: boolean, key?: string): Answer {
  const keyElement = key === undefined ? "" : `<Key>packages/${escapeXml(key)}</Key>`;
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${keyElement}</Error>`;
  return { status, headers: { "Content-Type": "application/xml" }, body: head ? null : body };
}
