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
} from "../auth/permissions.js";
import { unknownFieldsMessage } from "../validation.js";
import { json } from "../http/responses.js";
import type { PackageRecord } from "../world/model.js";
import { presentPackage } from "../presenters.js";
import {
  isBlank,
  parseResources,
  resourcesAreBlank,
  translateResources,
  type V2Resource,
} from "../upload/resources-field.js";
import { NGX_DUMMY_KEY, readUploadForm, type UploadForm } from "../upload/front-end.js";
import { processPackage, type ProcessingResult } from "../bits/package-bits-job.js";
import { createJob, finishJob, jobErrorForFailure } from "../jobs/jobs.js";
import type { JobRecord } from "../world/model.js";
import type { JournalMultipart } from "../journal/journal.js";
import { readZipDirectory } from "../zip/reader.js";
import { findScenario, scenarioFromPrefer, type ScenarioSetting } from "../scenarios/catalog.js";
import { expireOldPackages } from "../packages/expiry.js";

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

/**
 * The scenario that answers this upload: the request's `Prefer` header, then a
 * scenario bound to the package, then the global one.
 */
export function resolveUploadScenario(ctx: Context): ScenarioSetting {
  return (
    scenarioFromPrefer(ctx.request.headers.get("prefer")) ??
    ctx.state.packageScenarios.get(ctx.params.guid!) ??
    ctx.state.scenario
  );
}

export async function handleUpload(ctx: Context): Promise<Response> {
  const scenario = resolveUploadScenario(ctx);
  ctx.scenario = scenario.name;
  const definition = findScenario(scenario.name)!;
  if (definition.error) throw new CfError(definition.error.name, ...definition.error.args);
  switch (scenario.name) {
    case "timeout":
      // Never answer: the client's own timeout must fire. Ends when the client goes away or the simulator closes.
      await ctx.runtime.hang(ctx.request.signal);
      // The client went away or the simulator closed: there is no one to answer.
      return Response.error();
    case "connection-reset":
      return resetDuringBody(ctx);
    case "slow":
      try {
        await ctx.runtime.sleep(pickLatency(ctx, scenario.latency ?? ctx.runtime.options.latency ?? 2000));
      } catch {
        // A reset or close cut the latency short: say so rather than answer as if nothing happened.
        throw new CfError("ServiceUnavailable", "The simulator was reset or closed while this upload waited");
      }
      break;
  }
  // Before the controller: the front end reads and stores the whole body (413, 415, malformed multipart).
  const form = await readUploadForm(ctx.request, ctx.runtime.store, {
    maxBodySize: ctx.runtime.options.maxBodySize,
  });
  ctx.multipart = await summariseForm(ctx, form);
  let accepted = false;
  try {
    const response = await checkAndAccept(ctx, form, scenario);
    accepted = true;
    return response;
  } finally {
    if (!accepted && form.bits) await ctx.runtime.store.delete(form.bits.id);
  }
}

/** Whether a parsed JSON value nests no deeper than `limit` (iterative: no recursion to overflow). */
function depthAtMost(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= limit) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

/** The journal's view of an upload body: parts, the zip's entry names, the parsed resources. */
async function summariseForm(ctx: Context, form: UploadForm): Promise<JournalMultipart> {
  let bits: JournalMultipart["bits"] = null;
  if (form.bits) {
    const blob = form.bits;
    let entries: string[] | null;
    try {
      const dir = await readZipDirectory((s, e) => ctx.runtime.store.read(blob.id, s, e), blob.size);
      entries = dir.entries.map((e) => e.name);
    } catch {
      entries = null;
    }
    bits = { filename: blob.filename, contentType: blob.contentType, size: blob.size, sha256: blob.sha256, entries };
  }
  let resources: JournalMultipart["resources"] = null;
  if (form.resources !== null) {
    try {
      const parsed: unknown = JSON.parse(form.resources);
      form.parsedResources = { value: parsed };
      // Kept parsed only when it is shallow enough to serialise again: a hostile body nested
      // thousands deep would otherwise break every later read of the journal.
      resources = Array.isArray(parsed) && depthAtMost(parsed, 32) ? { entries: parsed } : { invalid: form.resources };
    } catch {
      resources = { invalid: form.resources };
    }
  }
  return { parts: form.parts, bits, resources };
}

function pickLatency(ctx: Context, latency: number | [number, number]): number {
  if (typeof latency === "number") return latency;
  return Math.round(latency[0] + ctx.runtime.ids.random() * (latency[1] - latency[0]));
}

/**
 * `connection-reset`: read part of the body, then drop the connection.
 * `Response.error()` is a network error: the HTTP adapter destroys the socket,
 * msw makes the client's fetch reject (it is what `HttpResponse.error()` returns).
 */
async function resetDuringBody(ctx: Context): Promise<Response> {
  const reader = ctx.request.body?.getReader();
  if (reader) {
    try {
      const declared = Number(ctx.request.headers.get("content-length") ?? "0");
      let read = 0;
      while (read < Math.max(1, Math.floor(declared / 2))) {
        const { done, value } = await reader.read();
        if (done) break;
        read += value.length;
      }
    } catch {
      /* the client went first */
    }
    reader.cancel().catch(() => {});
  }
  return Response.error();
}

async function checkAndAccept(ctx: Context, form: UploadForm, scenario: ScenarioSetting): Promise<Response> {
  // 1. A valid token (401), 2. admin or cloud_controller.write (403).
  const perms = await ctx.writer();
  // 3. The app_bits_upload feature flag; admins bypass it (403 CF-FeatureDisabled).
  requireAppBitsUploadFlag(ctx.state, perms);
  // 4. A non-blank `resources` must parse (422 `Resources must be valid JSON.`).
  let resources: V2Resource[] = [];
  if (!resourcesAreBlank(form.resources)) {
    // Parsed once, when the journal summarised the form; a value that is not JSON is parsed (and refused) here.
    const parsed = form.parsedResources
      ? translateResources(form.parsedResources.value)
      : parseResources(form.resources!);
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
  if (scenario.name === "async-upload") {
    // The seed's 202: the same package JSON, and the Location of a job that tracks the processing.
    const job = createJob(ctx.runtime, "package.upload", pkg.guid);
    enqueuePackageBits(ctx, pkg, form, resources, scenario, job);
    return json(202, body, { Location: `${ctx.origin}/v3/jobs/${job.guid}` });
  }
  enqueuePackageBits(ctx, pkg, form, resources, scenario, null);
  return json(200, body);
}

/**
 * The background job: process the bits, then READY with the stored zip's SHA-256, or
 * FAILED with the message. Scenarios change the ending: `processing-fails` and
 * `expires` force it, `stuck-processing` never ends. With a job (the async flow) the
 * job ends with the package: COMPLETE, or FAILED with the same text.
 */
function enqueuePackageBits(
  ctx: Context,
  pkg: PackageRecord,
  form: UploadForm,
  resources: V2Resource[],
  scenario: ScenarioSetting,
  job: JobRecord | null,
): void {
  const { runtime } = ctx;
  const upload = form.bits;
  if (scenario.name === "stuck-processing") {
    // Nothing cleans up a package stuck in PROCESSING_UPLOAD (reference §3.1); the bits are not needed.
    if (upload) runtime.background(() => runtime.store.delete(upload.id));
    return;
  }
  runtime.background(async () => {
    const started = runtime.now();
    let result: ProcessingResult;
    if (scenario.name === "processing-fails" || scenario.name === "expires") {
      result = { ok: false, error: scenario.error ?? "The app upload is invalid: Invalid zip archive." };
    } else {
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
        result = { ok: false, error: "An unknown error occurred." };
      }
    }
    const remaining = runtime.options.processingDelay - (runtime.now() - started);
    if (remaining > 0) await runtime.sleep(remaining);
    const current = runtime.state.packages.get(pkg.guid);
    // A package deleted while its job ran: the job exits quietly (reference §3.1).
    if (!current || current.state !== "PROCESSING_UPLOAD") {
      if (result.ok) await runtime.store.delete(result.blob.id);
      if (upload) await runtime.store.delete(upload.id);
      if (job) finishJob(runtime, job, null);
      return;
    }
    current.updatedAt = runtime.now();
    if (scenario.name === "expires") {
      current.state = "EXPIRED";
      if (upload) await runtime.store.delete(upload.id);
      if (job) finishJob(runtime, job, null);
      return;
    }
    if (result.ok) {
      current.state = "READY";
      current.blobId = result.blob.id;
      current.checksum = { type: "sha256", value: result.blob.sha256 };
      current.sha1 = result.blob.sha1;
      if (upload && upload.id !== result.blob.id) await runtime.store.delete(upload.id);
      if (job) finishJob(runtime, job, null);
    } else {
      current.state = "FAILED";
      current.error = result.error;
      if (upload) await runtime.store.delete(upload.id);
      if (job) finishJob(runtime, job, jobErrorForFailure(result.error));
    }
    runtime.state.finishedOf(current.appGuid).add(current.guid);
    await expireOldPackages(runtime, current.appGuid);
  });
}
