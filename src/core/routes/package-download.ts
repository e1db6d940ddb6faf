/**
 * `GET /v3/packages/{guid}/download` (`app/controllers/v3/packages_controller.rb#download`):
 * read scope, visibility (404), permission to read secrets (403), type bits and state READY
 * (422). Then, as `BlobDispatcher#send_or_redirect_blob` does: with a remote blobstore (the
 * default, as on nearly every foundation) 302 to a signed blob URL, with an empty body; with
 * the local-file blobstore (`blobstore: "local"`) 200 with the stored zip.
 */
import { findReadablePackage } from "../auth/permissions.js";
import type { BlobStore } from "../blob-store.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { empty, type Answer } from "../http/answer.js";

export async function handleDownloadPackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const { pkg, space } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  if (!perms.canReadSecretsInSpace(space)) throw new CfError("NotAuthorized");
  if (pkg.type !== "bits") throw new CfError("UnprocessableEntity", "Package type must be bits.");
  if (pkg.state !== "READY" || !pkg.blobId) {
    throw new CfError("UnprocessableEntity", "Package has no bits to download.");
  }
  if (ctx.state.blobstore === "local") return zipAnswer(ctx.services.store, pkg.guid, pkg.blobId);
  const { blobSigner, now } = ctx.services;
  return empty(302, { Location: blobSigner.url(ctx.origin, pkg.guid, now()) });
}

/** The stored zip of a package, as the local blobstore sends it (and the simulator's blob URL serves it). */
export async function zipAnswer(store: BlobStore, packageGuid: string, blobId: string, head = false): Promise<Answer> {
  const size = await store.size(blobId);
  return {
    status: 200,
    headers: {
      "Content-Type": "application/zip",
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${packageGuid}.zip"`,
    },
    body: head ? null : store.stream(blobId),
  };
}
