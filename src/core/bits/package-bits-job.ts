/**
 * The background job of an accepted upload (`app/jobs/v3/package_bits.rb`):
 * it processes the bits, waits out what is left of the processing delay, and
 * ends the package through the lifecycle: READY with the stored zip, or FAILED
 * with the reason. The upload's scenario may end it otherwise (fail, expire,
 * never end). With a job record (the seed's 202 flow) the record ends with the
 * package: COMPLETE, or FAILED with the same text.
 *
 * The job works in the world its upload was accepted in. A reset or close
 * cancels it (its signal aborts): processing stops at the next entry, and a
 * world that a reset retired takes nothing from it.
 */
import type { Context } from "../context.js";
import { finishJob, jobErrorForFailure } from "../jobs/jobs.js";
import type { UploadOutcome, World } from "../packages/lifecycle.js";
import type { UploadBehaviour } from "../scenarios/catalog.js";
import type { UploadForm } from "../upload/front-end.js";
import type { V2Resource } from "../upload/resources-field.js";
import type { JobRecord } from "../world/model.js";
import { processPackage, type ProcessingResult } from "./local-bits-packer.js";

export interface PackageBitsWork {
  packageGuid: string;
  upload: UploadForm["bits"];
  resources: V2Resource[];
  behaviour: UploadBehaviour;
  /** The job record of the seed's 202 flow, or null. */
  job: JobRecord | null;
}

export function enqueuePackageBits(ctx: Context, work: PackageBitsWork): void {
  const { scheduler, store, now, options } = ctx.services;
  const world = ctx.world;
  const upload = work.upload;
  if (work.behaviour.outcome === "hang") {
    // Nothing cleans up a package stuck in PROCESSING_UPLOAD (package_model.rb); the bits are not needed.
    if (upload) scheduler.run(() => store.delete(upload.id));
    return;
  }
  scheduler.run(async (signal) => {
    let outcome: UploadOutcome | null = null;
    try {
      const started = now();
      outcome = await outcomeOf(ctx, world, work, signal);
      const remaining = options.processingDelay - (now() - started);
      if (remaining > 0) await scheduler.sleep(remaining);
      const taken = await world.lifecycle.finishUpload(work.packageGuid, outcome);
      // A package deleted while its job ran: the job exits quietly, and completes.
      const failure = taken && outcome.state === "FAILED" ? jobErrorForFailure(outcome.error) : null;
      if (work.job) finishJob(world.state, now, work.job, failure);
    } finally {
      const stored = outcome?.state === "READY" ? outcome.blob.id : null;
      if (upload && upload.id !== stored) await store.delete(upload.id);
      // Cancelled before the package took it: the stored zip has no owner.
      if (stored && outcome && signal.aborted && !world.lifecycle.holds(stored)) await store.delete(stored);
    }
  });
}

async function outcomeOf(
  ctx: Context,
  world: World,
  work: PackageBitsWork,
  signal: AbortSignal,
): Promise<UploadOutcome> {
  if (work.behaviour.outcome === "expire") return { state: "EXPIRED" };
  if (work.behaviour.outcome === "fail") return { state: "FAILED", error: work.behaviour.failure };
  const { store, options, now, log } = ctx.services;
  let result: ProcessingResult;
  try {
    result = await processPackage(
      { upload: work.upload, resources: work.resources, packageGuid: work.packageGuid },
      {
        store,
        options,
        resourceCache: world.state.resourceCache,
        resourceMatching: world.state.featureFlags.get("resource_matching")?.enabled ?? true,
        now,
        signal,
      },
    );
  } catch (error) {
    if (signal.aborted) throw error;
    log("error", `processing the bits of package ${work.packageGuid} failed unexpectedly`, error);
    result = { ok: false, error: "An unknown error occurred." };
  }
  return result.ok ? { state: "READY", blob: result.blob } : { state: "FAILED", error: result.error };
}
