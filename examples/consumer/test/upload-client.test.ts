/**
 * Consumer contract tests of the upload client, against mock-packages through msw.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, mintUserToken, SCENARIOS } from "mock-packages";
import { createContractChecker } from "mock-packages/contract";
import { createHandlers } from "mock-packages/msw";
import { expectNoContractViolations, expectUpload } from "mock-packages/testing";
import { CfApiError, PackageFailedError, pushBits } from "../src/upload-client.js";

const API = "https://api.cf.example";
const sim = createSimulator({ processingDelay: 0, origin: API, contract: await createContractChecker() });
const server = setupServer(...createHandlers(sim, { origin: API }));
let token: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  token = await mintUserToken("space-developer");
});
afterEach(() => sim.reset());
afterAll(async () => {
  server.close();
  await sim.close();
});

const files = { "index.js": "console.log('hello')\n", "package.json": '{"name":"web-app"}\n' };
const push = () => pushBits({ api: API, token, appName: "web-app", files, pollInterval: 5, timeout: 2000 });

describe("the upload client", () => {
  it("pushes bits: resources then bits, 200, READY with a checksum, and honours the contract", async () => {
    const result = await push();
    expect(result.uploadStatus).toBe(200);
    expect(result.checksum).toMatch(/^[0-9a-f]{64}$/);
    expectUpload(sim, {
      packageGuid: result.packageGuid,
      status: 200,
      fieldOrder: ["resources", "bits"],
      zipPaths: ["index.js", "package.json"],
    });
    expectNoContractViolations(sim);
  });

  it("follows the seed's async flow: 202 and a job to poll", async () => {
    sim.useScenario("async-upload");
    const result = await push();
    expect(result.uploadStatus).toBe(202);
    expect(sim.journal.find({ path: /^\/v3\/jobs\// }).length).toBeGreaterThan(0);
  });

  it("reports a package that fails to process", async () => {
    sim.useScenario({ name: "processing-fails", error: "The app upload is invalid: Invalid zip archive." });
    await expect(push()).rejects.toEqual(
      new PackageFailedError("FAILED", "The app upload is invalid: Invalid zip archive."),
    );
  });

  it("gives up on a package stuck in PROCESSING_UPLOAD", async () => {
    sim.useScenario("stuck-processing");
    await expect(
      pushBits({ api: API, token, appName: "web-app", files, pollInterval: 5, timeout: 100 }),
    ).rejects.toThrow(/timed out waiting for package/);
  });

  for (const scenario of SCENARIOS.filter((s) => s.error)) {
    it(`surfaces ${scenario.name} as a CfApiError with the real title and code`, async () => {
      sim.useScenario(scenario.name);
      const error = await push().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CfApiError);
      expect((error as CfApiError).status).toBe(scenario.status);
      expect((error as CfApiError).title).toMatch(scenario.name === "server-error" ? /^UnknownError$/ : /^CF-/);
    });
  }
});
