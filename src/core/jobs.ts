/**
 * Background jobs (`GET /v3/jobs/{guid}`): PROCESSING, then COMPLETE, or FAILED
 * with the CF error that ended them.
 */
import type { Runtime } from "./context.js";
import { CfError } from "./errors.js";
import type { JobRecord } from "./model.js";

/**
 * Creates a job in PROCESSING and runs `work` after the processing delay.
 * `work` may throw a {@link CfError}: the job then ends FAILED with it in `errors`.
 */
export function startJob(
  runtime: Runtime,
  operation: string,
  packageGuid: string | null,
  work: () => Promise<void>,
): JobRecord {
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

export function finishJob(runtime: Runtime, job: JobRecord, error: CfError | null): void {
  if (!runtime.state.jobs.has(job.guid)) return;
  job.updatedAt = runtime.now();
  if (error) {
    job.state = "FAILED";
    job.errors = [error.toEntry()];
  } else {
    job.state = "COMPLETE";
  }
}
