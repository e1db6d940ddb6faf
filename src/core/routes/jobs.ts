/**
 * `GET /v3/jobs/{guid}` (`app/controllers/v3/jobs_controller.rb`, `app/presenters/v3/job_presenter.rb`).
 */
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { json, type Answer } from "../http/answer.js";
import { presentJob } from "../presenters.js";

/** `GET /v3/jobs/{guid}`: authentication and read scope only; no space check. */
export async function handleGetJob(ctx: Context): Promise<Answer> {
  await ctx.reader();
  const job = ctx.state.jobs.get(ctx.params.guid!);
  if (!job) throw new CfError("ResourceNotFound", "Job not found");
  return json(200, presentJob(job, ctx.state, ctx.present));
}
