/**
 * The background job of an accepted upload (`app/jobs/v3/package_bits.rb`):
 * it processes the bits, waits out what is left of the processing delay, and
 * ends the package through the lifecycle: READY with the stored zip, or FAILED
 * with the reason. The upload's scenario may end it otherwise (fail, expire,
 * never end). With a job record (the seed's 202 flow) the record ends with the
 * package: COMPLETE, or FAILED with the same text.
 */
import type { Services } from "../context.js";
import { finishJob, jobErrorForFailure } from "../jobs/jobs.js";
import type { UploadOutcome } from "../packages/lifecycle.js";
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

export function enqueuePackageBits(services: Services, work: PackageBitsWork): void {
  const { scheduler, store } = services;
  const upload = work.upload;
  if (work.behaviour.outcome === "hang") {
    // Nothing cleans up a package stuck in PROCESSING_UPLOAD (package_model.rb); the bits are not needed.
    if (upload) scheduler.run(() => store.delete(upload.id));
    return;
  }
  scheduler.run(async () => {
    const started = services.now();
    const outcome = await outcomeOf(services, work);
    const remaining = services.options.processingDelay - (services.now() - started);
    if (remaining > 0) await scheduler.sleep(remaining);
    // The lifecycle of this moment (a reset replaces it) takes the outcome, or drops it when the package is gone.
    const taken = await services.lifecycle.finishUpload(work.packageGuid, outcome);
    if (upload && (outcome.state !== "READY" || outcome.blob.id !== upload.id)) await store.delete(upload.id);
    // A package deleted while its job ran: the job exits quietly, and completes.
    const failure = taken && outcome.state === "FAILED" ? jobErrorForFailure(outcome.error) : null;
    if (work.job) finishJob(services, work.job, failure);
  });
}

async function outcomeOf(services: Services, work: PackageBitsWork): Promise<UploadOutcome> {
  if (work.behaviour.outcome === "expire") return { state: "EXPIRED" };
  if (work.behaviour.outcome === "fail") return { state: "FAILED", error: work.behaviour.failure };
  let result: ProcessingResult;
  try {
    result = await processPackage(
      { upload: work.upload, resources: work.resources, packageGuid: work.packageGuid },
      {
        store: services.store,
        options: services.options,
        resourceCache: services.state.resourceCache,
        resourceMatching: services.state.featureFlags.get("resource_matching")?.enabled ?? true,
        now: () => services.now(),
      },
    );
  } catch (error) {
    services.log("error", `processing the bits of package ${work.packageGuid} failed unexpectedly`, error);
    result = { ok: false, error: "An unknown error occurred." };
  }
  return result.ok ? { state: "READY", blob: result.blob } : { state: "FAILED", error: result.error };
}
