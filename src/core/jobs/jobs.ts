/**
 * Background jobs (`GET /v3/jobs/{guid}`): PROCESSING, then COMPLETE, or FAILED
 * with the CF error that ended them.
 */
import type { Runtime } from "../context.js";
import { CF_ERRORS, CfError, type CfErrorEntry, type CfErrorName } from "../errors.js";
import type { JobRecord } from "../world/model.js";

/**
 * Creates a job in PROCESSING and runs `work` after the processing delay.
 * `work` may throw a {@link CfError}: the job then ends FAILED with it in `errors`.
 */
/** A job in PROCESSING whose end the caller decides with {@link finishJob}. */
export function createJob(runtime: Runtime, operation: string, packageGuid: string | null): JobRecord {
  const now = runtime.now();
  const job: JobRecord = {
    guid: runtime.ids.uuid(),
    operation,
    state: "PROCESSING",
    createdAt: now,
    updatedAt: now,
    errors: [],
    warnings: [],
    packageGuid,
  };
  runtime.state.jobs.set(job.guid, job);
  return job;
}

export function startJob(
  runtime: Runtime,
  operation: string,
  packageGuid: string | null,
  work: () => Promise<void>,
): JobRecord {
  const job = createJob(runtime, operation, packageGuid);
  runtime.background(async () => {
    await runtime.sleep(runtime.options.processingDelay);
    try {
      await work();
      finishJob(runtime, job, null);
    } catch (error) {
      finishJob(runtime, job, error instanceof CfError ? error : new CfError("UnknownError"));
      if (!(error instanceof CfError)) runtime.log("error", `job ${operation} ${job.guid} failed`, error);
    }
  });
  return job;
}

export function finishJob(runtime: Runtime, job: JobRecord, error: CfError | CfErrorEntry | null): void {
  if (!runtime.state.jobs.has(job.guid)) return;
  job.updatedAt = runtime.now();
  if (error) {
    job.state = "FAILED";
    job.errors = [error instanceof CfError ? error.toEntry() : error];
  } else {
    job.state = "COMPLETE";
  }
}

const FAILURE_SOURCES: CfErrorName[] = [
  "AppBitsUploadInvalid",
  "AppPackageInvalid",
  "AppResourcesFilePathInvalid",
  "AppResourcesFileModeInvalid",
  "ResourceChecksumMismatch",
];

/**
 * The job error for a package's `data.error` text: the CF error whose message it is
 * (`CF-AppBitsUploadInvalid` 160001 for `The app upload is invalid: …`), with the same
 * text as detail; `UnknownError` 10001 for texts no CF error produces (blobstore and
 * Ruby messages), still with the text, so that job and package agree.
 */
export function jobErrorForFailure(text: string): CfErrorEntry {
  for (const name of FAILURE_SOURCES) {
    const def = CF_ERRORS[name];
    const prefix = def.template.split("%s")[0]!;
    if (def.template.includes("%s") ? text.startsWith(prefix) : text === def.template) {
      return { detail: text, title: def.title, code: def.code };
    }
  }
  return { detail: text, title: CF_ERRORS.UnknownError.title, code: CF_ERRORS.UnknownError.code };
}
