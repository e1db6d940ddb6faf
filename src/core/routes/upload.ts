/**
 * `POST /v3/packages/{guid}/upload`, check by check in the real controller's
 * order (`app/controllers/v3/packages_controller.rb#upload`), after the front
 * end (nginx and its upload module) has read and stored the body. The scenario
 * of the upload decides what is answered, as a record of what to do
 * (`src/core/scenarios/catalog.ts`).
 */
import {
  findReadablePackage,
  requireActiveOrgAndSpace,
  requireAppBitsUploadFlag,
  requireSpaceWrite,
} from "../auth/permissions.js";
import { enqueuePackageBits } from "../bits/package-bits-job.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { dropConnection, json, type Answer } from "../http/answer.js";
import { createJob } from "../jobs/jobs.js";
import { Cancelled } from "../jobs/scheduler.js";
import { presentPackage } from "../presenters.js";
import { behaviourOf, type UploadBehaviour } from "../scenarios/catalog.js";
import { ScenarioError, scenarioFromPrefer } from "../scenarios/parse.js";
import { NGX_DUMMY_KEY, readUploadForm, type UploadForm } from "../upload/front-end.js";
import { noteResources, summariseForm } from "../upload/form-summary.js";
import { readResourcesField, resourcesAreBlank } from "../upload/resources-field.js";
import { unknownFieldsMessage } from "../validation.js";

const ALLOWED_KEYS = ["bits_path", "bits_name", "upload_start_time", "resources"];

export async function handleUpload(ctx: Context): Promise<Answer> {
  const behaviour = uploadBehaviour(ctx);
  ctx.trace.scenario = behaviour.name;
  if (behaviour.error) throw new CfError(behaviour.error.name, ...behaviour.error.args);
  if (behaviour.before === "drop-connection") return dropDuringBody(ctx);
  // The front end reads and stores the whole body before the controller sees it (413, 415, malformed
  // multipart), also when the answer is to be late or never: so a client that gives up is noticed.
  let form: UploadForm;
  try {
    form = await readUploadForm(ctx.request, ctx.services.store, { maxBodySize: ctx.services.options.maxBodySize });
  } catch (error) {
    if (clientLeft(ctx)) return dropConnection();
    throw error;
  }
  ctx.trace.multipart = await summariseForm(form, ctx.services.store);
  let accepted = false;
  try {
    if (behaviour.before === "never-answer") {
      // The client's own timeout must fire. Ends when the client goes away or the simulator resets or closes.
      await ctx.services.scheduler.hang(ctx.request.signal);
      return dropConnection();
    }
    if (behaviour.before === "delay" && !(await delay(ctx, behaviour.latency))) return dropConnection();
    const answer = await checkAndAccept(ctx, form, behaviour);
    accepted = true;
    return answer;
  } finally {
    if (!accepted && form.bits) await ctx.services.store.delete(form.bits.id);
  }
}

/** Whether the client went away (its connection closed): nobody is left to answer. */
function clientLeft(ctx: Context): boolean {
  return ctx.request.signal.aborted;
}

/**
 * The scenario that answers this upload: the request's `Prefer` header (a bad one is a 400
 * whatever the token), then a scenario bound to the package, then the global one.
 */
function uploadBehaviour(ctx: Context): UploadBehaviour {
  let preferred;
  try {
    preferred = scenarioFromPrefer(ctx.request.headers.get("prefer"));
  } catch (error) {
    if (error instanceof ScenarioError) throw new CfError("BadRequest", error.message);
    throw error;
  }
  const setting = preferred ?? ctx.state.packageScenarios.get(ctx.params.guid!) ?? ctx.state.scenario;
  return behaviourOf(setting, ctx.services.options.latency);
}

/** Waits out the latency; false when the client left meanwhile (the answer would reach nobody). */
async function delay(ctx: Context, latency: number | [number, number]): Promise<boolean> {
  const ms =
    typeof latency === "number"
      ? latency
      : Math.round(latency[0] + ctx.services.ids.random() * (latency[1] - latency[0]));
  // The signal may come into being aborted (the client left before anyone asked): look before listening.
  if (clientLeft(ctx)) return false;
  const left = new AbortController();
  const onAbort = () => left.abort();
  ctx.request.signal.addEventListener("abort", onAbort);
  try {
    await Promise.race([ctx.services.scheduler.sleep(ms), ctx.services.scheduler.hang(left.signal)]);
    return !clientLeft(ctx);
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
    // A reset or close cut the latency short: say so rather than answer as if nothing happened.
    throw new CfError("ServiceUnavailable", "The simulator was reset or closed while this upload waited");
  } finally {
    ctx.request.signal.removeEventListener("abort", onAbort);
    left.abort();
  }
}

/**
 * Reads part of the body, then drops the connection: the HTTP adapter destroys the socket,
 * msw makes the client's fetch reject (a network error, as `HttpResponse.error()`).
 */
async function dropDuringBody(ctx: Context): Promise<Answer> {
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
  return dropConnection();
}

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

async function checkAndAccept(ctx: Context, form: UploadForm, behaviour: UploadBehaviour): Promise<Answer> {
  // 1. A valid token (401), 2. admin or cloud_controller.write (403).
  const perms = await ctx.writer();
  // 3. The app_bits_upload feature flag; admins bypass it (403 CF-FeatureDisabled).
  requireAppBitsUploadFlag(ctx.state, perms);
  // 4. A non-blank `resources` must parse (422 `Resources must be valid JSON.`).
  const resources = readResourcesField(form.resources, form.bits !== null, (parsed) =>
    noteResources(ctx.trace.multipart, form.resources!, parsed, form.resourcesDepth ?? 0),
  );
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
  //     (`packages_controller.rb` `bits_already_uploaded!`).
  if (pkg.state !== "AWAITING_UPLOAD") throw new CfError("PackageBitsAlreadyUploaded");
  // 12. Accept: no await between the state check above and this change, so concurrent uploads get one winner.
  const accepted = ctx.lifecycle.acceptUpload(pkg.guid);
  const body = presentPackage(accepted, ctx.present);
  const job = behaviour.accepted === "job" ? createJob(ctx, "package.upload", pkg.guid) : null;
  enqueuePackageBits(ctx, { packageGuid: pkg.guid, upload: form.bits, resources, behaviour, job });
  // The seed's 202: the same package JSON, and the Location of a job that tracks the processing.
  if (job) return json(202, body, { Location: `${ctx.origin}/v3/jobs/${job.guid}` });
  return json(200, body);
}
