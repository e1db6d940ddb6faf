/**
 * Background jobs as `GET /v3/jobs/{guid}` shows them (`app/presenters/v3/job_presenter.rb`):
 * PROCESSING, then COMPLETE, or FAILED with the CF error that ended them.
 */
import type { Context } from "../context.js";
import type { State } from "../world/state.js";
import { CF_ERRORS, CfError, type CfErrorEntry, type CfErrorName } from "../errors.js";
import { Cancelled } from "./scheduler.js";
import type { JobRecord } from "../world/model.js";

/** A job in PROCESSING, in the request's world, whose end the caller decides with {@link finishJob}. */
export function createJob(ctx: Context, operation: string, packageGuid: string | null): JobRecord {
  const now = ctx.services.now();
  const job: JobRecord = {
    guid: ctx.services.ids.uuid(),
    operation,
    state: "PROCESSING",
    createdAt: now,
    updatedAt: now,
    errors: [],
    warnings: [],
    packageGuid,
  };
  ctx.state.jobs.set(job.guid, job);
  return job;
}

/**
 * A job in PROCESSING that runs `work` after the processing delay. `work` may throw a
 * {@link CfError}: the job then ends FAILED with it in `errors`.
 */
export function startJob(
  ctx: Context,
  operation: string,
  packageGuid: string | null,
  work: () => Promise<void>,
): JobRecord {
  const job = createJob(ctx, operation, packageGuid);
  const { scheduler, options, log, now } = ctx.services;
  const state = ctx.state;
  scheduler.run(async () => {
    await scheduler.sleep(options.processingDelay);
    try {
      await work();
      finishJob(state, now, job, null);
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      finishJob(state, now, job, error instanceof CfError ? error : new CfError("UnknownError"));
      if (!(error instanceof CfError)) log("error", `job ${operation} ${job.guid} failed`, error);
    }
  });
  return job;
}

export function finishJob(state: State, now: () => number, job: JobRecord, error: CfError | CfErrorEntry | null): void {
  if (!state.jobs.has(job.guid)) return;
  job.updatedAt = now();
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
