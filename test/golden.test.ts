/**
 * The golden fixtures (fixtures/golden/) are what the simulator answers now, byte for
 * byte (key order included), and every one of them is a response spec/openapi.yaml allows.
 */
import { PACKAGE_KEYS } from "./support/world.js";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { GOLDEN_FILES } from "../fixtures/index.js";
import { GOLDEN_DIR, loadGolden } from "../fixtures/golden.js";
import type { GoldenFileName } from "../fixtures/golden-files.js";
import {
  GOLDEN_ORIGIN,
  generateGolden,
  goldenFiles,
  serializeGolden,
  type GoldenResponse,
} from "../scripts/generate-golden.js";
import { theContract } from "./support/client.js";
import type { CfErrors, Job, Package, PackageList } from "../src/index.js";

const RUN = "run npm run generate:golden";

let golden: Record<GoldenFileName, GoldenResponse>;
let files: Record<string, string>;

beforeAll(async () => {
  golden = await generateGolden();
  files = await goldenFiles(golden);
}, 120_000);

function committed(name: string): string | null {
  try {
    return readFileSync(join(GOLDEN_DIR, name), "utf8");
  } catch {
    return null;
  }
}

describe("fixtures/golden", () => {
  it("holds exactly the files the generator makes, and GOLDEN_FILES names them", () => {
    expect(Object.keys(golden), "GOLDEN_FILES and the generator's captures differ").toEqual([...GOLDEN_FILES]);
    expect(readdirSync(GOLDEN_DIR).sort(), `fixtures/golden/ has missing or stale files: ${RUN}`).toEqual(
      Object.keys(files).sort(),
    );
  });

  it.each([...GOLDEN_FILES, "README.md"])("%s is what the simulator answers now", (name) => {
    const text = committed(name);
    expect(text, `fixtures/golden/${name} is missing: ${RUN}`).not.toBeNull();
    expect(text, `fixtures/golden/${name} differs from what the simulator answers now: ${RUN}`).toBe(files[name]);
  });

  it.each(GOLDEN_FILES)("%s is a response spec/openapi.yaml allows", async (name) => {
    const contract = await theContract();
    const g = golden[name];
    const path = new URL(g.path, GOLDEN_ORIGIN).pathname;
    // The committed body (what teams use), with the status and headers it came with.
    const body = committed(name) === null ? g.body : loadGolden(name);
    const verdict = contract.checkResponse(g.method, path, { status: g.status, headers: new Headers(g.headers), body });
    expect(verdict.operationId, `${g.method} ${path} has no operation in spec/openapi.yaml`).not.toBeNull();
    expect(verdict.violations, `${name}: ${g.method} ${path} → ${g.status} must match spec/openapi.yaml`).toEqual([]);
  });

  it("is deterministic: the same seed and clock give the same bytes", async () => {
    const again = await goldenFiles(await generateGolden());
    expect(again).toEqual(files);
  }, 120_000);

  it("keeps the simulator's key order", () => {
    const pkg = golden["package-ready.json"].body as Record<string, unknown>;
    expect(Object.keys(pkg)).toEqual([...PACKAGE_KEYS]);
    expect(files["package-ready.json"]).toBe(serializeGolden(pkg));
  });

  it("shows what each name says", () => {
    const state = (name: GoldenFileName) => (golden[name].body as { state: string }).state;
    expect(state("package-awaiting-upload.json")).toBe("AWAITING_UPLOAD");
    expect(state("package-processing-upload.json")).toBe("PROCESSING_UPLOAD");
    expect(state("package-ready.json")).toBe("READY");
    expect(state("package-failed.json")).toBe("FAILED");
    expect(state("package-expired.json")).toBe("EXPIRED");
    expect((golden["package-docker.json"].body as Package).type).toBe("docker");
    expect(state("job-processing.json")).toBe("PROCESSING");
    expect(state("job-complete.json")).toBe("COMPLETE");
    expect(state("job-failed.json")).toBe("FAILED");
    expect((golden["job-package-delete.json"].body as Job).operation).toBe("package.delete");
    const list = golden["package-list.json"].body as PackageList;
    expect(list.pagination.next).not.toBeNull();
    expect(list.pagination.previous).not.toBeNull();
    expect(list.resources).toHaveLength(2);
    const titles = Object.fromEntries(
      GOLDEN_FILES.filter((n) => n.startsWith("error-")).map((n) => [
        n,
        `${golden[n].status} ${(golden[n].body as CfErrors).errors[0]!.title}`,
      ]),
    );
    expect(titles).toEqual({
      "error-not-authenticated.json": "401 CF-NotAuthenticated",
      "error-invalid-auth-token.json": "401 CF-InvalidAuthToken",
      "error-not-authorized.json": "403 CF-NotAuthorized",
      "error-feature-disabled.json": "403 CF-FeatureDisabled",
      "error-org-suspended.json": "403 CF-OrgSuspended",
      "error-space-suspended.json": "403 CF-SpaceSuspended",
      "error-not-found.json": "404 CF-ResourceNotFound",
      "error-unprocessable-no-bits.json": "422 CF-UnprocessableEntity",
      "error-resources-invalid-json.json": "422 CF-UnprocessableEntity",
      "error-package-type.json": "422 CF-UnprocessableEntity",
      "error-bits-already-uploaded.json": "400 CF-PackageBitsAlreadyUploaded",
      "error-rate-limited.json": "429 CF-RateLimitExceeded",
      "error-unavailable.json": "503 CF-ServiceUnavailable",
      "error-unknown.json": "500 UnknownError",
    });
    for (const g of Object.values(golden)) {
      for (const href of JSON.stringify(g.body).match(/https?:\/\/[^"]+/g) ?? []) {
        expect(href.startsWith(`${GOLDEN_ORIGIN}/`), href).toBe(true);
      }
    }
  });

  it("loadGolden reads a file, typed by its name", () => {
    const pkg = loadGolden("package-ready.json");
    const job = loadGolden("job-failed.json");
    const error = loadGolden("error-not-found.json");
    const list = loadGolden("package-list.json");
    expectTypeOf(pkg).toEqualTypeOf<Package>();
    expectTypeOf(job).toEqualTypeOf<Job>();
    expectTypeOf(error).toEqualTypeOf<CfErrors>();
    expectTypeOf(list).toEqualTypeOf<PackageList>();
    expect(pkg.state).toBe("READY");
    expect(job.errors[0]?.title).toBe("CF-AppBitsUploadInvalid");
    expect(error.errors[0]?.detail).toBe("Package not found");
    expect(() => loadGolden("nope.json" as GoldenFileName)).toThrow(/no golden file 'nope.json'/);
  });
});
