/**
 * A strict consumer of every entry point. test/packaging.test.ts copies it into a project
 * outside the repository, installs the packed tarball there and type-checks it with
 * TypeScript 5.0 and the newest 5.x, under `nodenext` and `bundler`, with `skipLibCheck`
 * off: the package's own declarations are checked, not only used. It is never run.
 */
import {
  createSimulator,
  mintUserToken,
  SCENARIO_NAMES,
  type JournalEntry,
  type Package,
  type ScenarioName,
  type Simulator,
} from "mock-packages";
import { createHandlers } from "mock-packages/msw";
import { createFileStore, loadWorldFile, serve, type RunningServer } from "mock-packages/node";
import { expectNoContractViolations, expectUpload, MockPackagesAssertionError } from "mock-packages/testing";
import { buildAppZip, buildCfUploadBody, buildFixtureWorld, GOLDEN_FILES, type Bytes } from "mock-packages/fixtures";
import { goldenPath, loadGolden } from "mock-packages/fixtures/golden";
import { createContractChecker, type Verdict } from "mock-packages/contract";

// A golden JSON subpath, as a type: `import … with { type: "json" }` needs TypeScript 5.3 or later.
type ReadyJson = typeof import("mock-packages/fixtures/golden/package-ready.json");

export async function everyEntryPoint(): Promise<string[]> {
  const sim: Simulator = createSimulator({
    processingDelay: 0,
    origin: "https://api.example.local",
    world: await buildFixtureWorld(4010),
    contract: await createContractChecker(),
  });
  const handlers: unknown[] = createHandlers(sim, { origin: "https://api.example.local" });
  const token: string = await mintUserToken("space-developer", { expiresIn: 60, scope: ["cloud_controller.read"] });
  const zip: Bytes = await buildAppZip({ "index.html": "<h1>hi</h1>" });
  const { body, contentType } = buildCfUploadBody({ bits: zip });
  const answer: Response = await sim.request("/v3/packages/guid/upload", {
    method: "POST",
    token,
    headers: { "Content-Type": contentType },
    body,
  });
  const scenario: ScenarioName = SCENARIO_NAMES[0]!;
  const entry: JournalEntry = expectUpload(sim, { status: answer.status, zipPaths: ["index.html"] });
  expectNoContractViolations(sim);
  const verdict: Verdict | undefined = undefined;
  const ready: Package = loadGolden("package-ready.json");
  const json: ReadyJson["state"] = ready.state;
  const store = createFileStore();
  const running: RunningServer = await serve({ simulator: createSimulator({ store }), port: 0 });
  await running.close();
  store.dispose();
  const world = await loadWorldFile("world.yaml").catch((e: unknown) => e);
  return [
    String(handlers.length),
    scenario,
    String(entry.id),
    String(verdict),
    json,
    goldenPath("error-not-found.json"),
    String(GOLDEN_FILES.length),
    String(world),
    MockPackagesAssertionError.name,
  ];
}
