/**
 * Scenario options through every way of naming a scenario, all read by one
 * parser (`src/core/scenarios/parse.ts`): `Prefer` parameters in RFC 7240's
 * syntax, the `NAME; option=value` text of `useScenario`, the `scenario` option
 * and the CLI flag, and the admin API's JSON. One wording for every mistake.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildAppZip } from "../fixtures/index.js";
import { SCENARIO_NAMES, createSimulator, type Simulator } from "../src/index.js";
import { WorldFileError, loadWorldFile } from "../src/node/index.js";
import { sendJson, showPackage, upload as uploadTo } from "./support/api.js";
import { overHttp, setup, type Answer, type Client } from "./support/client.js";
import { expectError } from "./support/errors.js";
import { runCli, startCli } from "./support/cli.js";
import { packageGuid, settle } from "./support/world.js";

let sim: Simulator;
let api: Client;
let close: () => Promise<void> = async () => {};
afterEach(() => close());

async function start(): Promise<string> {
  ({ sim, api, close } = await setup());
  return packageGuid(sim, "web-app", "AWAITING_UPLOAD");
}

async function upload(guid: string, prefer?: string): Promise<Answer> {
  const bits = await buildAppZip({ "index.js": "1\n" });
  return uploadTo(api, guid, { bits }, { headers: prefer ? { prefer } : {} });
}

const badRequest = (answer: Answer, detail: string) => expectError(answer, 400, "CF-BadRequest", 1004, detail);
const dataOf = (guid: string) => showPackage(api, guid);

describe("options in the Prefer header (RFC 7240 parameters)", () => {
  it('scenario=processing-fails; error="…": FAILED with that text, commas, semicolons and escaped quotes included', async () => {
    const guid = await start();
    const text = 'The app package is invalid: "big", then; small';
    const r = await upload(guid, `scenario=processing-fails; error="${text.replace(/"/g, '\\"')}"`);
    expect(r.status, r.text).toBe(200);
    await settle(sim);
    const pkg = await dataOf(guid);
    expect(pkg.state).toBe("FAILED");
    expect(pkg.data.error).toBe(text);
    expect(sim.journal.uploads().at(-1)?.scenario).toBe("processing-fails");
  });

  it("scenario=slow; latency=60: answered after the latency", async () => {
    const guid = await start();
    const started = performance.now();
    const r = await upload(guid, "scenario=slow; latency=60");
    expect(r.status, r.text).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(sim.journal.last()?.scenario).toBe("slow");
  });

  it("preference names in any case, other preferences ignored, the last scenario wins", async () => {
    const guid = await start();
    expect((await upload(guid, "return=minimal, SCENARIO=rate-limited, wait=10, Scenario=expires")).status).toBe(200);
    await settle(sim);
    expect((await dataOf(guid)).state).toBe("EXPIRED");
  });

  it("a bad option: 400 CF-BadRequest saying what is wrong, and the package is untouched", async () => {
    const guid = await start();
    const cannot = "Bad request: the Prefer header asks for a scenario it cannot have: ";
    badRequest(
      await upload(guid, "scenario=slow; delay=5"),
      `${cannot}unknown field(s) 'delay': a scenario takes name, error and latency`,
    );
    badRequest(
      await upload(guid, 'scenario=slow; error="x"'),
      `${cannot}'error' is not an option of the scenario 'slow' (it takes latency)`,
    );
    badRequest(
      await upload(guid, "scenario=slow; latency=soon"),
      `${cannot}latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got 'soon'`,
    );
    badRequest(
      await upload(guid, "scenario=expires; latency=5"),
      `${cannot}'latency' is not an option of the scenario 'expires' (it takes none)`,
    );
    expect((await dataOf(guid)).state).toBe("AWAITING_UPLOAD");
  });
});

describe("the NAME; option=value text of the programmatic API", () => {
  it("useScenario and bindScenario take it, and the admin API shows the options parsed", async () => {
    const guid = await start();
    sim.useScenario("slow; latency=200-800");
    expect(sim.scenario).toEqual({ name: "slow", latency: [200, 800] });
    sim.bindScenario(guid, "processing-fails; error=\"Could not find object 'abc'\"");
    expect((await api.call("/__mock/scenario")).json).toEqual({
      scenario: { name: "slow", latency: [200, 800] },
      packages: { [guid]: { name: "processing-fails", error: "Could not find object 'abc'" } },
    });
  });

  it("a mistake is a TypeError in the parser's words", async () => {
    await start();
    expect(() => sim.useScenario("slow; speed=3" as never)).toThrow(
      new TypeError("mock-packages: unknown field(s) 'speed': a scenario takes name, error and latency"),
    );
    expect(() => createSimulator({ scenario: "expires; error=x" as never })).toThrow(
      new TypeError("mock-packages: 'error' is not an option of the scenario 'expires' (it takes none)"),
    );
    expect(() => sim.useScenario("slow=3" as never)).toThrow(
      new TypeError(
        "mock-packages: a scenario is written NAME or NAME; option=value (e.g. slow; latency=300), got 'slow=3'",
      ),
    );
  });

  it("the admin API refuses an option the scenario does not take", async () => {
    await start();
    const r = await sendJson(api, "/__mock/scenario", { name: "stuck-processing", error: "x" }, { method: "PUT" });
    badRequest(r, "Bad request: 'error' is not an option of the scenario 'stuck-processing' (it takes none)");
  });
});

describe("the CLI's --scenario", () => {
  it("takes options after a semicolon", async () => {
    const cli = await startCli(["--scenario", 'processing-fails; error="The app upload is invalid: custom"']);
    try {
      const r = await overHttp(cli.url).call("/__mock/scenario");
      expect(r.json.scenario).toEqual({ name: "processing-fails", error: "The app upload is invalid: custom" });
      expect(cli.output()).toContain("Scenario: processing-fails");
    } finally {
      await cli.stop();
    }
  });

  it("a bad option: exit 2 with the parser's words", async () => {
    const r = await runCli(["--scenario", "slow; latency=soon", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "mock-packages: --scenario: latency must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 200-800), got 'soon'\n",
    );
  });
});

describe("scenarios in a world file", () => {
  const write = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), "mock-packages-world-"));
    const file = join(dir, "world.yaml");
    writeFileSync(file, text);
    return file;
  };
  const WORLD = `
scenario: "slow; latency=10"
orgs:
  - name: acme
    spaces:
      - name: dev
        apps:
          - name: shop
            packages:
              - {}
              - scenario: { name: processing-fails, error: "The app upload is invalid: from the file" }
users:
  - name: alice
    roles: ["space_developer@acme/dev"]
`;

  it("sets the global scenario and binds one to a package; reset restores both", async () => {
    const world = await loadWorldFile(write(WORLD));
    ({ sim, api, close } = await setup({ world }));
    const bound = world.packages[1]!.guid;
    const expected = {
      scenario: { name: "slow", latency: 10 },
      packages: { [bound]: { name: "processing-fails", error: "The app upload is invalid: from the file" } },
    };
    expect((await api.call("/__mock/scenario")).json).toEqual(expected);
    sim.useScenario("rate-limited");
    await sim.reset();
    expect((await api.call("/__mock/scenario")).json).toEqual(expected);
  });

  it("the scenario option wins over the file's global scenario", async () => {
    const world = await loadWorldFile(write(WORLD));
    ({ sim, api, close } = await setup({ world, scenario: "expires" }));
    expect(sim.scenario).toEqual({ name: "expires" });
  });

  it("a bad scenario is a problem at its place, in the parser's words", async () => {
    const file = write(`scenario: nope
orgs:
  - name: acme
    spaces:
      - name: dev
        apps:
          - name: shop
            packages:
              - scenario: "slow; error=x"
`);
    const error = await loadWorldFile(file).then(
      () => null,
      (e: unknown) => e as WorldFileError,
    );
    expect(error).toBeInstanceOf(WorldFileError);
    // In the order of the file.
    expect(error!.problems.map((p) => [p.location, p.line, p.problem])).toEqual([
      ["scenario", 1, `unknown scenario 'nope'. Valid scenarios are: ${SCENARIO_NAMES.join(", ")}`],
      [
        "orgs[0].spaces[0].apps[0].packages[0].scenario",
        9,
        "'error' is not an option of the scenario 'slow' (it takes latency)",
      ],
    ]);
  });
});
