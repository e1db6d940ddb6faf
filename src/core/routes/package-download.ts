/**
 * `GET /v3/packages/{guid}/download` (`app/controllers/v3/packages_controller.rb#download`):
 * read scope, visibility (404), permission to read secrets (403), type bits and state READY
 * (422); then the stored zip, as a local-file blobstore serves it.
 */
import { findReadablePackage } from "../auth/permissions.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import type { Answer } from "../http/answer.js";

export async function handleDownloadPackage(ctx: Context): Promise<Answer> {
  const perms = await ctx.reader();
  const { pkg, space } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  if (!perms.canReadSecretsInSpace(space)) throw new CfError("NotAuthorized");
  if (pkg.type !== "bits") throw new CfError("UnprocessableEntity", "Package type must be bits.");
  if (pkg.state !== "READY" || !pkg.blobId) {
    throw new CfError("UnprocessableEntity", "Package has no bits to download.");
  }
  const { store } = ctx.services;
  const size = await store.size(pkg.blobId);
  return {
    status: 200,
    headers: {
      "Content-Type": "application/zip",
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${pkg.guid}.zip"`,
    },
    body: store.stream(pkg.blobId),
  };
}
