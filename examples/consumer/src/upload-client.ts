/**
 * A tiny client that pushes application bits the way the cf CLI does:
 * resource match, create the package, upload `resources` then `bits`, and
 * wait until the package is READY. It knows nothing of mock-packages.
 */
import { createHash } from "node:crypto";
import JSZip from "jszip";

export class CfApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly code: number,
    readonly detail: string,
  ) {
    super(`${status} ${title} (${code}): ${detail}`);
    this.name = "CfApiError";
  }
}

export class PackageFailedError extends Error {
  constructor(
    readonly state: string,
    readonly reason: string | null,
  ) {
    super(
      `Package ${state === "EXPIRED" ? "expired" : "failed to process correctly"} after upload${reason ? `: ${reason}` : ""}`,
    );
    this.name = "PackageFailedError";
  }
}

export interface PushOptions {
  api: string;
  token: string;
  appName: string;
  files: Record<string, string>;
  /** How often to poll, ms. Default 3000, as the cf CLI. */
  pollInterval?: number;
  /** Give up after this many ms. Default 60000. */
  timeout?: number;
  fetch?: typeof fetch;
}

export interface PushResult {
  packageGuid: string;
  checksum: string;
  /** How the upload was answered: 200 (real controller) or 202 (async job). */
  uploadStatus: number;
}

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

export async function pushBits(options: PushOptions): Promise<PushResult> {
  const doFetch = options.fetch ?? fetch;
  const headers = { authorization: `bearer ${options.token}` };
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await doFetch(new URL(path, options.api), {
      ...init,
      headers: { ...headers, ...(init.headers as object) },
    });
    if (res.status >= 400) {
      const body = await res.json().catch(() => null);
      const e = body?.errors?.[0];
      throw e
        ? new CfApiError(res.status, e.title, e.code, e.detail)
        : new CfApiError(res.status, "Unknown", 0, await res.text());
    }
    return res;
  };
  const deadline = Date.now() + (options.timeout ?? 60_000);
  const sleep = () => new Promise((r) => setTimeout(r, options.pollInterval ?? 3000));

  const apps = await (await call(`/v3/apps?names=${encodeURIComponent(options.appName)}`)).json();
  const app = apps.resources[0];
  if (!app) throw new Error(`no app named ${options.appName}`);

  const entries = Object.entries(options.files)
    .filter(([, content]) => content.length > 0)
    .map(([path, content]) => ({
      path,
      mode: "644",
      checksum: { value: sha1(content) },
      size_in_bytes: Buffer.byteLength(content),
    }));
  const matched: typeof entries = entries.length
    ? (
        await (
          await call("/v3/resource_matches", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ resources: entries }),
          })
        ).json()
      ).resources
    : [];
  const matchedPaths = new Set(matched.map((m) => m.path));

  const pkg = await (
    await call("/v3/packages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app.guid } } } }),
    })
  ).json();

  const form = new FormData();
  form.set("resources", JSON.stringify(matched));
  const unmatched = Object.entries(options.files).filter(([path]) => !matchedPaths.has(path));
  if (unmatched.length) {
    const zip = new JSZip();
    for (const [path, content] of unmatched) zip.file(path, content);
    const bytes = await zip.generateAsync({ type: "arraybuffer" });
    form.set("bits", new Blob([bytes], { type: "application/octet-stream" }), "package.zip");
  }
  const upload = await call(pkg.links.upload.href, { method: "POST", body: form });
  const uploadStatus = upload.status;
  const jobUrl = upload.headers.get("location");
  await upload.json(); // the cf CLI always decodes the body: an empty one would fail here

  if (uploadStatus === 202 && jobUrl) {
    for (;;) {
      const job = await (await call(jobUrl)).json();
      if (job.state === "COMPLETE") break;
      if (job.state === "FAILED") throw new PackageFailedError("FAILED", job.errors[0]?.detail ?? null);
      if (Date.now() > deadline) throw new Error(`timed out waiting for job ${job.guid}`);
      await sleep();
    }
  }
  for (;;) {
    const current = await (await call(`/v3/packages/${pkg.guid}`)).json();
    if (current.state === "READY")
      return { packageGuid: pkg.guid, checksum: current.data.checksum.value, uploadStatus };
    if (current.state === "FAILED" || current.state === "EXPIRED")
      throw new PackageFailedError(current.state, current.data.error);
    if (Date.now() > deadline) throw new Error(`timed out waiting for package ${pkg.guid} (still ${current.state})`);
    await sleep();
  }
}
