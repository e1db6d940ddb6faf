/**
 * `POST /v3/packages/{guid}/upload`, check by check in the real controller's
 * order (`app/controllers/v3/packages_controller.rb#upload`, reference §1.2).
 * Each numbered step below is a row of the reference's table.
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import {
  findReadablePackage,
  requireActiveOrgAndSpace,
  requireAppBitsUploadFlag,
  requireSpaceWrite,
  unknownFieldsMessage,
} from "../guards.js";
import { json } from "../http.js";
import type { PackageRecord } from "../model.js";
import { presentPackage } from "../presenters.js";
import { isBlank, parseResources, resourcesAreBlank, type V2Resource } from "../resources.js";
import { NGX_DUMMY_KEY, readUploadForm, type UploadForm } from "../upload-form.js";
import { processPackage } from "../processing.js";
import { expireOldPackages } from "../expiry.js";

const ALLOWED_KEYS = ["bits_path", "bits_name", "upload_start_time", "resources"];

/** Step 5: the upload message's validations, every message joined with ", ". */
function validateUploadMessage(form: UploadForm): string[] {
  const messages: string[] = [];
  const unknown = unknownFieldsMessage(form.keys, ALLOWED_KEYS);
  if (unknown) messages.push(unknown);
  if (form.bits === null && resourcesAreBlank(form.resources)) {
    messages.push("Upload must include either resources or bits");
  }
  // "Bits path is invalid" cannot happen here: the simulator, like nginx, chooses the path itself.
  if (form.keys.includes(NGX_DUMMY_KEY)) messages.push("File field missing path information");
  return messages;
}

export async function handleUpload(ctx: Context): Promise<Response> {
  // Before the controller: the front end reads and stores the whole body (413, 415, malformed multipart).
  const form = await readUploadForm(ctx.request, ctx.runtime.store, {
    maxBodySize: ctx.runtime.options.maxBodySize,
  });
  let accepted = false;
  try {
    const response = await checkAndAccept(ctx, form);
    accepted = true;
    return response;
  } finally {
    if (!accepted && form.bits) await ctx.runtime.store.delete(form.bits.id);
  }
}

async function checkAndAccept(ctx: Context, form: UploadForm): Promise<Response> {
  // 1. A valid token (401), 2. admin or cloud_controller.write (403).
  const perms = await ctx.writer();
  // 3. The app_bits_upload feature flag; admins bypass it (403 CF-FeatureDisabled).
  requireAppBitsUploadFlag(ctx.state, perms);
  // 4. A non-blank `resources` must parse (422 `Resources must be valid JSON.`).
  let resources: V2Resource[] = [];
  if (!resourcesAreBlank(form.resources)) {
    const parsed = parseResources(form.resources!);
    if (!parsed.ok) throw new CfError("UnprocessableEntity", "Resources must be valid JSON.");
    resources = parsed.entries;
  } else if (form.resources !== null && form.resources !== "" && isBlank(form.resources) && form.bits !== null) {
    // The real controller answers 500 here (a whitespace-only `resources` with bits reaches
    // JSON.parse in the action). The simulator names the mistake instead of failing opaquely.
    throw new CfError("UnprocessableEntity", "Resources must be valid JSON.");
  }
  // 5. Message validation, before the package is even looked up.
  const messages = validateUploadMessage(form);
  if (messages.length) throw new CfError("UnprocessableEntity", messages);
  // 6. The package exists and the caller can read its space (404, never 403).
  const { pkg, space, org } = findReadablePackage(ctx.state, perms, ctx.params.guid!);
  // 7. The caller can write to the space (403).
  requireSpaceWrite(perms, space);
  // 8. The org and space are active; admins skip this.
  requireActiveOrgAndSpace(perms, org, space);
  // 9. Only bits packages take uploads.
  if (pkg.type !== "bits") throw new CfError("UnprocessableEntity", "Package type must be bits.");
  // 10. Bits may be uploaded only once: any state but AWAITING_UPLOAD is a 400, not a 422
  //     (packages_controller.rb `bits_already_uploaded!`).
  if (pkg.state !== "AWAITING_UPLOAD") throw new CfError("PackageBitsAlreadyUploaded");
  // 12. Accept: no await between the state check above and this change, so concurrent uploads get one winner.
  pkg.state = "PROCESSING_UPLOAD";
  pkg.updatedAt = ctx.runtime.now();
  pkg.error = null;
  pkg.checksum = { type: "sha256", value: null };
  const body = presentPackage(pkg, ctx.present);
  enqueuePackageBits(ctx, pkg, form, resources);
  return json(200, body);
}

/** The background job: process the bits, then READY with the stored zip's SHA-256, or FAILED with the message. */
function enqueuePackageBits(ctx: Context, pkg: PackageRecord, form: UploadForm, resources: V2Resource[]): void {
  const { runtime } = ctx;
  const upload = form.bits;
  runtime.background(async () => {
    const started = runtime.now();
    let result;
    try {
      result = await processPackage(
        { upload, resources, packageGuid: pkg.guid },
        {
          store: runtime.store,
          options: runtime.options,
          resourceCache: runtime.state.resourceCache,
          resourceMatching: runtime.state.featureFlags.get("resource_matching")?.enabled ?? true,
          now: () => runtime.now(),
        },
      );
    } catch (error) {
      runtime.log("error", `processing the bits of package ${pkg.guid} failed unexpectedly`, error);
      result = { ok: false as const, error: "An unknown error occurred." };
    }
    const remaining = runtime.options.processingDelay - (runtime.now() - started);
    if (remaining > 0) await runtime.sleep(remaining);
    const current = runtime.state.packages.get(pkg.guid);
    // A package deleted while its job ran: the job exits quietly (reference §3.1).
    if (!current || current.state !== "PROCESSING_UPLOAD") {
      if (result.ok) await runtime.store.delete(result.blob.id);
      return;
    }
    current.updatedAt = runtime.now();
    if (result.ok) {
      current.state = "READY";
      current.blobId = result.blob.id;
      current.checksum = { type: "sha256", value: result.blob.sha256 };
      current.sha1 = result.blob.sha1;
      if (upload && upload.id !== result.blob.id) await runtime.store.delete(upload.id);
    } else {
      current.state = "FAILED";
      current.error = result.error;
      if (upload) await runtime.store.delete(upload.id);
    }
    await expireOldPackages(runtime, current.appGuid);
  });
}
