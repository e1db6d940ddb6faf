/**
 * The commands of test/model.test.ts: each sends one request (or two) through the checked
 * client (so every answer is validated against spec/openapi.yaml), compares the answer with
 * the reference model (support/model.ts), waits for the simulator's background jobs
 * (`processingDelay: 0`, then `sim.idle()`), and moves the model on as the controller would.
 */
import type fc from "fast-check";
import { expect } from "vitest";
import { buildAppZip, notAZip, resourceEntries } from "../../fixtures/index.js";
import { DEV, cfUploadBody, postPackage, postUpload, sendJson } from "./api.js";
import { expectContract } from "./client.js";
import { sha1, sha256 } from "./hash.js";
import {
  download,
  expectAnswer,
  expectChecksum,
  expectDownloads,
  expectShown,
  resolve,
  settle,
  type Real,
  type Target,
} from "./model-checks.js";
import {
  COPY_WITHOUT_BITS,
  INVALID_ZIP,
  addPackage,
  appOf,
  copyAnswers,
  deleteAnswer,
  downloadAnswer,
  finish,
  pickApp,
  resetModel,
  uploadAnswer,
  type CachedFile,
  type Model,
  type ModelPackage,
  type ScenarioName,
} from "./model.js";

export type { Real, Target };
export type ModelCommand = fc.AsyncCommand<Model, Real, false>;

/** The zips a good upload sends: files above the cache's minimum size, one file shared by all. */
export const GOOD_FILES: Array<Record<string, string>> = [0, 1, 2, 3].map((i) => ({
  [`app-${i}.js`]: `console.log(${i});\n`.repeat(8 + i),
  "shared.txt": "shared by every zip\n".repeat(4),
}));
const GOOD_ZIPS: Uint8Array[] = await Promise.all(GOOD_FILES.map((files) => buildAppZip(files)));
/** A file no upload contains: a `resources` entry naming it fails `Could not find object`. */
const NEVER_CACHED: CachedFile = { path: "never.txt", content: "never uploaded\n" };

// ---------------------------------------------------------------------------

export class Create implements ModelCommand {
  constructor(readonly app: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const app = pickApp(model, this.app);
    const r = await postPackage(real.api, { type: "bits", relationships: { app: { data: { guid: app.guid } } } });
    if (app.suspended) return void expectAnswer(r, { status: 403, title: "CF-OrgSuspended" });
    expectAnswer(r, { status: 201 });
    const pkg = addPackage(model, {
      guid: r.json.guid,
      appGuid: app.guid,
      type: "bits",
      state: "AWAITING_UPLOAD",
      bits: null,
      error: null,
    });
    expectShown(r.json, pkg);
  }
  toString = () => `create(app ${this.app})`;
}

export type UploadKind = { kind: "zip"; index: number } | { kind: "bad" } | { kind: "resources"; index: number };

export class Upload implements ModelCommand {
  constructor(
    readonly target: Target,
    readonly what: UploadKind,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.target);
    const pkg = model.packages.get(guid);
    const named =
      this.what.kind === "resources"
        ? (model.cache[this.what.index % (model.cache.length || 1)] ?? NEVER_CACHED)
        : null;
    const body = this.body(named);
    const r = await postUpload(real.api, guid, body);
    const expected = expectAnswer(r, uploadAnswer(pkg, pkg && appOf(model, pkg)));
    if (expected.status !== 200) return;
    pkg!.state = "PROCESSING_UPLOAD";
    expectShown(r.json, pkg!);
    await settle(real);
    if (this.finish(model, pkg!, named)) await expectDownloads(model, real);
  }
  private body(named: CachedFile | null) {
    if (this.what.kind === "zip") return cfUploadBody(GOOD_ZIPS[this.what.index % GOOD_ZIPS.length]);
    if (this.what.kind === "bad") return cfUploadBody(notAZip(64, 7));
    return cfUploadBody(null, resourceEntries({ [named!.path]: named!.content }));
  }
  /** The job's outcome, as the controller's `PackageBits` job (or the bound scenario) would end it. */
  private finish(model: Model, pkg: ModelPackage, named: CachedFile | null): boolean {
    if (pkg.scenario === "expires") {
      pkg.state = "EXPIRED";
      return false;
    }
    if (pkg.scenario === "processing-fails") return finish(model, pkg, "FAILED", INVALID_ZIP);
    if (this.what.kind === "bad") return finish(model, pkg, "FAILED", INVALID_ZIP);
    if (this.what.kind === "resources") {
      if (named === NEVER_CACHED) return finish(model, pkg, "FAILED", `Could not find object '${sha1(named.content)}'`);
      return finish(model, pkg, "READY", {});
    }
    const index = this.what.index % GOOD_ZIPS.length;
    for (const [path, content] of Object.entries(GOOD_FILES[index]!)) {
      if (!model.cache.some((f) => f.content === content)) model.cache.push({ path, content });
    }
    // No directory entries and no resources: the zip is stored as it was sent.
    return finish(model, pkg, "READY", { sha256: sha256(GOOD_ZIPS[index]!) });
  }
  toString = () => `upload(${JSON.stringify(this.target)}, ${JSON.stringify(this.what)})`;
}

/**
 * A new package of an app, a scenario bound to it or none, and an upload: the finished packages
 * that push older ones to EXPIRED, and uploads that meet the bound scenario.
 */
export class CreateAndUpload implements ModelCommand {
  constructor(
    readonly app: number,
    readonly what: UploadKind,
    readonly scenario: ScenarioName | null,
  ) {}
  check = (model: Model) => !pickApp(model, this.app).suspended;
  async run(model: Model, real: Real): Promise<void> {
    await new Create(this.app).run(model, real);
    const newest: Target = { from: "recent", pick: 0 };
    if (this.scenario) await new BindScenario(newest, this.scenario).run(model, real);
    await new Upload(newest, this.what).run(model, real);
  }
  toString = () => `createAndUpload(app ${this.app}, ${JSON.stringify(this.what)}, ${this.scenario})`;
}

export class Copy implements ModelCommand {
  constructor(
    readonly source: Target,
    readonly app: number,
  ) {}
  /** Only bits packages of apps that are not suspended, into such apps (see copyAnswers). */
  check(model: Model): boolean {
    const source = model.packages.get(resolve(model, this.source));
    if (source && (source.type !== "bits" || appOf(model, source).suspended)) return false;
    return !pickApp(model, this.app).suspended;
  }
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.source);
    const source = model.packages.get(guid);
    const app = pickApp(model, this.app);
    const path = `/v3/packages?source_guid=${guid}`;
    const body = { relationships: { app: { data: { guid: app.guid } } } };
    const r = await sendJson(real.api, path, body, { user: DEV });
    if (expectAnswer(r, ...copyAnswers(source, app)).status !== 201) return;
    const bits = source!.state === "READY" ? source!.bits : null;
    const copy = addPackage(model, {
      guid: r.json.guid,
      appGuid: app.guid,
      type: "bits",
      state: "COPYING",
      bits: null,
      error: null,
    });
    expectShown(r.json, copy);
    await settle(real);
    const expired = bits ? finish(model, copy, "READY", bits) : finish(model, copy, "FAILED", COPY_WITHOUT_BITS);
    if (expired) await expectDownloads(model, real);
  }
  toString = () => `copy(${JSON.stringify(this.source)} → app ${this.app})`;
}

export class Delete implements ModelCommand {
  constructor(readonly target: Target) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.target);
    const pkg = model.packages.get(guid);
    const r = await real.api.call(`/v3/packages/${guid}`, { method: "DELETE", user: DEV });
    if (expectAnswer(r, deleteAnswer(pkg, pkg && appOf(model, pkg))).status !== 202) return;
    expect(r.headers.get("location")).toMatch(/\/v3\/jobs\/[0-9a-f-]+$/);
    await settle(real);
    model.packages.delete(guid);
    await expectDownloads(model, real);
  }
  toString = () => `delete(${JSON.stringify(this.target)})`;
}

export class Download implements ModelCommand {
  constructor(readonly target: Target) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.target);
    const pkg = model.packages.get(guid);
    const r = await download(real, guid);
    if (expectAnswer(r, downloadAnswer(pkg)).status !== 200) return;
    expectChecksum(pkg!, sha256(r.bytes));
  }
  toString = () => `download(${JSON.stringify(this.target)})`;
}

export class Show implements ModelCommand {
  constructor(readonly target: Target) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.target);
    const pkg = model.packages.get(guid);
    const r = await real.api.call(`/v3/packages/${guid}`, { user: DEV });
    if (!pkg) return void expectAnswer(r, { status: 404, title: "CF-ResourceNotFound" });
    expectAnswer(r, { status: 200 });
    expectShown(r.json, pkg);
  }
  toString = () => `show(${JSON.stringify(this.target)})`;
}

/** An app's packages, through `/v3/apps/{guid}/packages` or `/v3/packages?app_guids=`: exactly the model's. */
export class List implements ModelCommand {
  constructor(
    readonly app: number,
    readonly form: "app" | "filter",
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const app = pickApp(model, this.app);
    const path =
      this.form === "app"
        ? `/v3/apps/${app.guid}/packages?per_page=5000`
        : `/v3/packages?app_guids=${app.guid}&per_page=5000`;
    const r = await real.api.call(path, { user: DEV });
    expectAnswer(r, { status: 200 });
    const expected = [...model.packages.values()].filter((p) => p.appGuid === app.guid);
    const shown = new Map<string, any>(r.json.resources.map((p: any) => [p.guid, p]));
    expect([...shown.keys()].sort(), `packages of ${app.name}`).toEqual(expected.map((p) => p.guid).sort());
    for (const pkg of expected) expectShown(shown.get(pkg.guid), pkg);
  }
  toString = () => `list(app ${this.app}, ${this.form})`;
}

/** `PUT` (or, for null, `DELETE`) `/__mock/packages/{guid}/scenario`. */
export class BindScenario implements ModelCommand {
  constructor(
    readonly target: Target,
    readonly name: ScenarioName | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const guid = resolve(model, this.target);
    const pkg = model.packages.get(guid);
    const path = `/__mock/packages/${guid}/scenario`;
    if (this.name === null) {
      expectAnswer(await real.api.call(path, { method: "DELETE" }), { status: 200 });
      if (pkg) pkg.scenario = null;
      return;
    }
    const r = await sendJson(real.api, path, { name: this.name }, { method: "PUT" });
    if (!pkg) return void expectAnswer(r, { status: 404 });
    expectAnswer(r, { status: 200 });
    pkg.scenario = this.name;
  }
  toString = () => `scenario(${JSON.stringify(this.target)}, ${this.name})`;
}

export class Reset implements ModelCommand {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    expectAnswer(await real.api.call("/__mock/reset", { method: "POST" }), { status: 204 });
    resetModel(model);
  }
  toString = () => "reset()";
}
