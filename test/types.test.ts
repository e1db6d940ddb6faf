/**
 * The generated types (src/types/openapi.ts) stay in step with spec/openapi.yaml,
 * and describe what the simulator really answers.
 *
 * The `expectTypeOf` checks are type-level: `tsc --noEmit` (npm run typecheck)
 * is what fails on them; at run time they pass whatever the types are.
 */
import { pathToFileURL } from "node:url";
import { astToString, openapiTS } from "@mock-packages/typegen";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  createSimulator,
  type App,
  type CfErrors,
  type FeatureFlag,
  type Job,
  type OpenApiComponents,
  type Package,
  type PackageList,
  type ResourceMatchList,
  type Simulator,
  type UploadResource,
} from "../src/index.js";
import {
  OPENAPI_TS_OPTIONS,
  SPEC_FILE,
  firstDifference,
  formatTypes,
  readCommittedTypes,
} from "../scripts/generate-types.js";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { tokenFor } from "./support/client.js";
import { PACKAGE_KEYS, packageGuid } from "./support/world.js";

describe("src/types/openapi.ts", () => {
  it("is what openapi-typescript makes of spec/openapi.yaml now", async () => {
    const generated = await formatTypes(astToString(await openapiTS(pathToFileURL(SPEC_FILE), OPENAPI_TS_OPTIONS)));
    const committed = readCommittedTypes();
    const diff = committed === null ? null : firstDifference(committed, generated);
    const why =
      committed === null
        ? "src/types/openapi.ts is missing"
        : diff
          ? `src/types/openapi.ts is out of date with spec/openapi.yaml (line ${diff.line}: committed ${JSON.stringify(
              diff.committed,
            )}, generated ${JSON.stringify(diff.generated)})`
          : "";
    expect(committed === generated, `${why}: run npm run generate:types`).toBe(true);
  }, 60_000);
});

describe("the types describe real responses", () => {
  let sim: Simulator;
  let token: string;

  beforeAll(async () => {
    sim = createSimulator({ processingDelay: 0, logger: () => {} });
    await sim.ready;
    token = await tokenFor("space-developer");
  });
  afterAll(() => sim.close());

  it("Package: the six states, the keys in the controller's order, bits and docker data", async () => {
    const pkg = (await (
      await sim.request(`/v3/packages/${packageGuid(sim, "web-app", "READY")}`, { token })
    ).json()) as Package;

    expectTypeOf<Package["state"]>().toEqualTypeOf<
      "AWAITING_UPLOAD" | "PROCESSING_UPLOAD" | "READY" | "FAILED" | "COPYING" | "EXPIRED"
    >();
    expectTypeOf<Package["type"]>().toEqualTypeOf<"bits" | "docker">();
    expectTypeOf(pkg.guid).toBeString();
    expectTypeOf(pkg.created_at).toBeString();
    expectTypeOf(pkg.relationships.app.data.guid).toBeString();
    expectTypeOf(pkg.metadata.labels).toEqualTypeOf<{ [key: string]: string }>();
    expectTypeOf(pkg.links.self).toEqualTypeOf<OpenApiComponents["schemas"]["Link"]>();
    expectTypeOf(pkg.links.upload).toEqualTypeOf<OpenApiComponents["schemas"]["LinkWithMethod"] | undefined>();
    expectTypeOf<NonNullable<Package["links"]["upload"]>["method"]>().toEqualTypeOf<
      "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
    >();
    // `data` is bits data or docker data.
    expectTypeOf<OpenApiComponents["schemas"]["BitsPackageData"]>().toExtend<Package["data"]>();
    expectTypeOf<{ image: string; username: null; password: null }>().toExtend<Package["data"]>();
    expectTypeOf<OpenApiComponents["schemas"]["PackageChecksum"]>().toEqualTypeOf<{
      type: "sha256" | "sha1";
      value: string | null;
    }>();

    // Every key the type names, in the order the controller emits them, and no other.
    const keys = PACKAGE_KEYS satisfies readonly (keyof Package)[];
    expectTypeOf<keyof Package>().toEqualTypeOf<(typeof keys)[number]>();
    expect(Object.keys(pkg)).toEqual(keys);
    expect(pkg.state).toBe("READY");
    expect(pkg.data.checksum?.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it("PackageList, Job and CfErrors", async () => {
    const list = (await (await sim.request("/v3/packages?per_page=2", { token })).json()) as PackageList;
    expectTypeOf(list.resources).toEqualTypeOf<Package[]>();
    expectTypeOf(list.pagination.total_results).toBeNumber();
    expectTypeOf(list.pagination.next).toEqualTypeOf<{ href: string } | null>();
    expect(list.resources).toHaveLength(2);
    expect(list.pagination.next?.href).toContain("page=2");

    const deleted = await sim.request(`/v3/packages/${packageGuid(sim, "web-app", "FAILED")}`, {
      method: "DELETE",
      token,
    });
    expect(deleted.status).toBe(202);
    await sim.idle();
    const job = (await (await sim.request(deleted.headers.get("location")!, { token })).json()) as Job;
    expectTypeOf<Job["state"]>().toEqualTypeOf<"PROCESSING" | "POLLING" | "COMPLETE" | "FAILED">();
    expectTypeOf(job.errors).toEqualTypeOf<{ detail: string; title: string; code: number }[]>();
    expect(job).toMatchObject({ operation: "package.delete", state: "COMPLETE", errors: [] });

    const body = buildCfUploadBody({ resources: [], bits: await buildAppZip({ "index.html": "hi\n" }) });
    const again = await sim.request(`/v3/packages/${packageGuid(sim, "web-app", "READY")}/upload`, {
      method: "POST",
      token,
      headers: { "content-type": body.contentType },
      body: body.body,
    });
    const errors = (await again.json()) as CfErrors;
    expectTypeOf(errors.errors[0]!).toEqualTypeOf<{ detail: string; title: string; code: number }>();
    expect(again.status).toBe(400);
    expect(errors.errors[0]).toEqual({
      detail: "Bits may be uploaded only once. Create a new package to upload different bits.",
      title: "CF-PackageBitsAlreadyUploaded",
      code: 150004,
    });
  });

  it("App, FeatureFlag, ResourceMatchList and UploadResource", async () => {
    const apps = (await (await sim.request("/v3/apps?names=web-app", { token })).json()) as { resources: App[] };
    const app = apps.resources[0]!;
    expectTypeOf(app.name).toBeString();
    expectTypeOf<App["state"]>().toEqualTypeOf<"STARTED" | "STOPPED">();
    expect(app.name).toBe("web-app");

    const flag = (await (await sim.request("/v3/feature_flags/app_bits_upload", { token })).json()) as FeatureFlag;
    expectTypeOf(flag.enabled).toBeBoolean();
    expectTypeOf(flag.updated_at).toEqualTypeOf<string | null>();
    expect(flag).toMatchObject({ name: "app_bits_upload", enabled: true });

    const request: ResourceMatchList = {
      resources: [{ checksum: { value: "a".repeat(40) }, size_in_bytes: 1, path: "a.txt", mode: "644" }],
    };
    const matches = (await (
      await sim.request("/v3/resource_matches", {
        method: "POST",
        token,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      })
    ).json()) as ResourceMatchList;
    expectTypeOf<ResourceMatchList["resources"][number]["size_in_bytes"]>().toBeNumber();
    expect(matches.resources).toEqual([]);

    // Both shapes of a `resources` entry, V3 and V2, may be mixed.
    const resources: UploadResource = [
      { path: "a.txt", size_in_bytes: 1, checksum: { value: "a".repeat(40) } },
      { fn: "b.txt", size: 2, sha1: "b".repeat(40), mode: "0644" },
    ];
    expect(resources).toHaveLength(2);
  });
});
