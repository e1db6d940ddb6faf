/**
 * Generates the golden JSON fixtures in `fixtures/golden/`: real response bodies of
 * the simulator, for teams that want static fixtures.
 *
 *   npx tsx scripts/generate-golden.ts    # (npm run generate:golden) writes the files
 *
 * Every body comes from a real request to a fresh in-process simulator (seed 4010,
 * no processing delay, a fixed clock, links on https://api.example.local); error
 * bodies come from real failing requests, or from the scenario that answers that
 * error where no request can provoke it. Nothing is written by hand, keys keep the
 * order the simulator emits, and the same code gives the same bytes on every run.
 *
 * `generateGolden()` does it all in memory (test/golden.test.ts compares its result
 * with the committed files and checks each response against spec/openapi.yaml);
 * running the script only writes the files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as prettier from "prettier";
import { buildAppZip, buildCfUploadBody, buildFixtureWorld, buildMultipart, stableGuid } from "../fixtures/index.js";
import { GOLDEN_FILES, type GoldenFileName } from "../fixtures/golden-files.js";
import { createSimulator, mintUserToken, type Simulator, type SimulatorOptions } from "../src/index.js";
import type { PackageState, PackageType } from "../src/core/world/model.js";

/** The origin of every link in the golden files. */
export const GOLDEN_ORIGIN = "https://api.example.local";
export const GOLDEN_SEED = 4010;
/** The simulator's fixed clock: the fixture world's reference date, 2025-01-15T12:00:00Z. */
export const GOLDEN_NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
export const GOLDEN_DIR = fileURLToPath(new URL("../fixtures/golden/", import.meta.url));

/** One captured response, with what produced it. Only `body` is written to the golden file. */
export interface GoldenResponse {
  method: string;
  /** The request's path and query, on {@link GOLDEN_ORIGIN}. */
  path: string;
  /** Who sent it: a fixture user, or how the token was wrong. */
  as: string;
  /** Scenario, world or simulator setting the request needed, if any. */
  setup: string | null;
  /** One line on what the body shows. */
  description: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The text of a golden file: the body as the simulator ordered its keys, two-space indented. */
export function serializeGolden(body: unknown): string {
  return JSON.stringify(body, null, 2) + "\n";
}

interface Send {
  method?: string;
  token?: string;
  body?: Uint8Array<ArrayBuffer> | string;
  contentType?: string;
}

class Recorder {
  readonly out = new Map<GoldenFileName, GoldenResponse>();

  constructor(private readonly problems: string[]) {}

  /** Sends a request; throws unless the status is the expected one, so that a changed simulator stops the generator. */
  async send(sim: Simulator, path: string, init: Send, expected: number): Promise<Response> {
    const headers = new Headers();
    if (init.contentType) headers.set("content-type", init.contentType);
    const response = await sim.request(`${GOLDEN_ORIGIN}${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.token === undefined ? {} : { token: init.token }),
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    if (response.status !== expected) {
      const text = await response.text();
      throw new Error(
        `generate-golden: ${init.method ?? "GET"} ${path} answered ${response.status}, expected ${expected}: ${text.slice(0, 500)}`,
      );
    }
    return response;
  }

  /** Sends a request and keeps its JSON body as golden file `name`. */
  async capture(
    name: GoldenFileName,
    sim: Simulator,
    path: string,
    init: Send & { as: string; setup?: string; description: string },
    expected: number,
  ): Promise<Response> {
    if (this.out.has(name)) throw new Error(`generate-golden: ${name} captured twice`);
    const response = await this.send(sim, path, init, expected);
    const type = response.headers.get("content-type") ?? "";
    if (!type.includes("json")) this.problems.push(`${name}: content-type is '${type}', not JSON`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    this.out.set(name, {
      method: init.method ?? "GET",
      path,
      as: init.as,
      setup: init.setup ?? null,
      description: init.description,
      status: response.status,
      headers,
      body: (await response.clone().json()) as unknown,
    });
    return response;
  }
}

function appGuid(sim: Simulator, name: string): string {
  for (const app of sim.state.apps.values()) if (app.name === name) return app.guid;
  throw new Error(`generate-golden: the fixture world has no app named ${name}`);
}

function fixturePackage(sim: Simulator, app: string, state: PackageState, type: PackageType = "bits"): string {
  const guid = appGuid(sim, app);
  for (const p of sim.state.packages.values()) {
    if (p.appGuid === guid && p.state === state && p.type === type) return p.guid;
  }
  throw new Error(`generate-golden: the fixture world has no ${type} package of ${app} in ${state}`);
}

/**
 * Closes a simulator whose background job may still be before its processing delay.
 * `close()` cancels the delays that have started; a job still reading its zip starts
 * its delay after that and would keep `close()` waiting for all of it (an hour here).
 * Calling `close()` again cancels such late delays, so it is repeated until the first
 * call has returned.
 */
async function closeNow(sim: Simulator): Promise<void> {
  const timer = setInterval(() => void sim.close(), 5);
  try {
    await sim.close();
  } finally {
    clearInterval(timer);
  }
}

function jobPath(response: Response): string {
  const location = response.headers.get("location");
  if (!location) throw new Error("generate-golden: a 202 without a Location header");
  const url = new URL(location);
  if (url.origin !== GOLDEN_ORIGIN) throw new Error(`generate-golden: Location ${location} is not on ${GOLDEN_ORIGIN}`);
  return url.pathname;
}

/**
 * Captures every golden response in memory, keyed by file name, in the order of
 * {@link GOLDEN_FILES}. Starts and closes its own simulators.
 */
export async function generateGolden(): Promise<Record<GoldenFileName, GoldenResponse>> {
  const problems: string[] = [];
  const logger: SimulatorOptions["logger"] = (level, message, error) => {
    if (level !== "info") problems.push(`simulator ${level}: ${message} ${error === undefined ? "" : String(error)}`);
  };
  const base: SimulatorOptions = {
    seed: GOLDEN_SEED,
    processingDelay: 0,
    now: () => GOLDEN_NOW,
    origin: GOLDEN_ORIGIN,
    logger,
  };
  const rec = new Recorder(problems);

  // Tokens minted at the simulator's clock: valid for an hour from it (or expired an hour before it).
  const token = (user: string) => mintUserToken(user, { now: GOLDEN_NOW });
  const dev = await token("space-developer");
  const admin = await token("admin");
  const manager = await token("space-manager");
  const expired = await mintUserToken("space-developer", { now: GOLDEN_NOW, expired: true });

  // What `cf push` sends: `resources` first, then the zip. Entry dates are fixed, so the bytes are too.
  const zip = await buildAppZip({
    "index.html": "<h1>hello from the golden fixtures</h1>\n",
    Procfile: "web: python3 -m http.server $PORT\n",
  });
  const upload = buildCfUploadBody({ resources: [], bits: zip });
  const notAZip = buildCfUploadBody({ resources: [], bits: new TextEncoder().encode("this is not a zip archive\n") });
  const post = (body: { body: Uint8Array<ArrayBuffer>; contentType: string }, t?: string): Send => ({
    method: "POST",
    body: body.body,
    contentType: body.contentType,
    ...(t === undefined ? {} : { token: t }),
  });

  // ---- The job in PROCESSING. With no processing delay a job ends before it can be
  // read, so this one simulator (the same seed, clock and first request as the main
  // one below) keeps its background work waiting an hour; it is closed, not awaited.
  // Its job is the same job that job-complete.json shows finished.
  {
    const slow = createSimulator({ ...base, processingDelay: 3_600_000 });
    try {
      await slow.ready;
      slow.useScenario("async-upload");
      const pkg = fixturePackage(slow, "web-app", "AWAITING_UPLOAD");
      const accepted = await rec.send(slow, `/v3/packages/${pkg}/upload`, post(upload, dev), 202);
      await rec.capture(
        "job-processing.json",
        slow,
        jobPath(accepted),
        {
          token: dev,
          as: "space-developer",
          setup: "scenario async-upload; the simulator's processing delay is one hour",
          description: "The package.upload job of the 202 upload, read while the bits are being processed.",
        },
        200,
      );
    } finally {
      await closeNow(slow);
    }
  }

  const sim = createSimulator(base);
  try {
    await sim.ready;
    const webApp = appGuid(sim, "web-app");
    const workerApp = appGuid(sim, "worker-app");
    const createBits = (app: string): Send => ({
      method: "POST",
      token: dev,
      contentType: "application/json",
      body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: app } } } }),
    });
    const newPackage = async (): Promise<string> =>
      ((await (await rec.send(sim, "/v3/packages", createBits(workerApp), 201)).json()) as { guid: string }).guid;

    // ---- Jobs: the seed document's 202 variant (scenario async-upload), and a delete.
    sim.useScenario("async-upload");
    {
      const pkg = fixturePackage(sim, "web-app", "AWAITING_UPLOAD");
      const accepted = await rec.send(sim, `/v3/packages/${pkg}/upload`, post(upload, dev), 202);
      await sim.idle();
      await rec.capture(
        "job-complete.json",
        sim,
        jobPath(accepted),
        {
          token: dev,
          as: "space-developer",
          setup: "scenario async-upload",
          description: "The package.upload job of a 202 upload of a valid zip, after processing: COMPLETE.",
        },
        200,
      );
    }
    const failing = await newPackage();
    {
      const accepted = await rec.send(sim, `/v3/packages/${failing}/upload`, post(notAZip, dev), 202);
      await sim.idle();
      await rec.capture(
        "job-failed.json",
        sim,
        jobPath(accepted),
        {
          token: dev,
          as: "space-developer",
          setup: "scenario async-upload",
          description: "The package.upload job of a 202 upload whose bits are not a zip: FAILED, with the error.",
        },
        200,
      );
    }
    sim.useScenario("cloud-controller");
    {
      const deleted = await rec.send(sim, `/v3/packages/${failing}`, { method: "DELETE", token: dev }, 202);
      await sim.idle();
      await rec.capture(
        "job-package-delete.json",
        sim,
        jobPath(deleted),
        {
          token: dev,
          as: "space-developer",
          description: "The package.delete job of DELETE /v3/packages/{guid}, done: COMPLETE, no package link.",
        },
        200,
      );
    }

    // ---- A package in each state.
    const created = await rec.capture(
      "package-awaiting-upload.json",
      sim,
      "/v3/packages",
      {
        ...createBits(workerApp),
        as: "space-developer",
        description: "A new bits package (201), waiting for its bits.",
      },
      201,
    );
    const fresh = ((await created.json()) as { guid: string }).guid;
    await rec.capture(
      "package-processing-upload.json",
      sim,
      `/v3/packages/${fresh}/upload`,
      {
        ...post(upload, dev),
        as: "space-developer",
        description: "The upload's 200: the package in PROCESSING_UPLOAD, checksum not yet known.",
      },
      200,
    );
    await sim.idle();
    await rec.capture(
      "package-ready.json",
      sim,
      `/v3/packages/${fresh}`,
      { token: dev, as: "space-developer", description: "The same package once processed: READY, with the sha256." },
      200,
    );
    {
      const broken = await newPackage();
      await rec.send(sim, `/v3/packages/${broken}/upload`, post(notAZip, dev), 200);
      await sim.idle();
      await rec.capture(
        "package-failed.json",
        sim,
        `/v3/packages/${broken}`,
        {
          token: dev,
          as: "space-developer",
          description: "A package whose uploaded bits were not a zip, once processed: FAILED, with data.error.",
        },
        200,
      );
    }
    await rec.capture(
      "package-expired.json",
      sim,
      `/v3/packages/${fixturePackage(sim, "web-app", "EXPIRED")}`,
      { token: dev, as: "space-developer", description: "The fixture world's EXPIRED package of web-app." },
      200,
    );
    await rec.capture(
      "package-docker.json",
      sim,
      `/v3/packages/${fixturePackage(sim, "docker-app", "READY", "docker")}`,
      {
        token: dev,
        as: "space-developer",
        description: "The fixture world's docker package: docker data, no upload or download link.",
      },
      200,
    );
    await rec.capture(
      "package-list.json",
      sim,
      `/v3/packages?app_guids=${webApp}&per_page=2&page=2`,
      {
        token: dev,
        as: "space-developer",
        description: "Page 2 of web-app's packages, two a page: first, last, next and previous links.",
      },
      200,
    );

    // ---- The errors a client meets on upload. Each request is a valid upload except for
    // the one thing that fails, sent to a package waiting for bits unless said otherwise.
    const target = await newPackage();
    const uploadPath = (guid: string) => `/v3/packages/${guid}/upload`;
    await rec.capture(
      "error-not-authenticated.json",
      sim,
      uploadPath(target),
      { ...post(upload), as: "nobody (no Authorization header)", description: "401 CF-NotAuthenticated." },
      401,
    );
    await rec.capture(
      "error-invalid-auth-token.json",
      sim,
      uploadPath(target),
      {
        ...post(upload, expired),
        as: "space-developer, token expired an hour ago",
        description: "401 CF-InvalidAuthToken.",
      },
      401,
    );
    await rec.capture(
      "error-not-authorized.json",
      sim,
      uploadPath(target),
      {
        ...post(upload, manager),
        as: "space-manager (sees the package, may not write)",
        description: "403 CF-NotAuthorized.",
      },
      403,
    );
    await rec.send(
      sim,
      "/v3/feature_flags/app_bits_upload",
      { method: "PATCH", token: admin, contentType: "application/json", body: JSON.stringify({ enabled: false }) },
      200,
    );
    await rec.capture(
      "error-feature-disabled.json",
      sim,
      uploadPath(target),
      {
        ...post(upload, dev),
        as: "space-developer",
        setup: 'admin: PATCH /v3/feature_flags/app_bits_upload {"enabled":false} (switched back on after)',
        description: "403 CF-FeatureDisabled.",
      },
      403,
    );
    await rec.send(
      sim,
      "/v3/feature_flags/app_bits_upload",
      { method: "PATCH", token: admin, contentType: "application/json", body: JSON.stringify({ enabled: true }) },
      200,
    );
    await rec.capture(
      "error-org-suspended.json",
      sim,
      uploadPath(fixturePackage(sim, "suspended-app", "AWAITING_UPLOAD")),
      {
        ...post(upload, dev),
        as: "space-developer",
        description: "403 CF-OrgSuspended: suspended-app's package, in the suspended org.",
      },
      403,
    );
    await rec.capture(
      "error-not-found.json",
      sim,
      uploadPath(stableGuid("package", "golden-does-not-exist")),
      { ...post(upload, dev), as: "space-developer", description: "404 CF-ResourceNotFound: no such package." },
      404,
    );
    await rec.capture(
      "error-unprocessable-no-bits.json",
      sim,
      uploadPath(target),
      {
        ...post(buildCfUploadBody({ resources: [] }), dev),
        as: "space-developer",
        description: "422 CF-UnprocessableEntity: `resources` is `[]` and there is no `bits` part.",
      },
      422,
    );
    await rec.capture(
      "error-resources-invalid-json.json",
      sim,
      uploadPath(target),
      {
        ...post(
          buildMultipart([
            { name: "resources", content: "[{not json" },
            { name: "bits", filename: "package.zip", contentType: "application/octet-stream", content: zip },
          ]),
          dev,
        ),
        as: "space-developer",
        description: "422 CF-UnprocessableEntity: the `resources` part is not JSON.",
      },
      422,
    );
    await rec.capture(
      "error-package-type.json",
      sim,
      uploadPath(fixturePackage(sim, "docker-app", "READY", "docker")),
      {
        ...post(upload, dev),
        as: "space-developer",
        description: "422 CF-UnprocessableEntity: the fixture docker package takes no bits.",
      },
      422,
    );
    await rec.capture(
      "error-bits-already-uploaded.json",
      sim,
      uploadPath(fresh),
      {
        ...post(upload, dev),
        as: "space-developer",
        description: "400 CF-PackageBitsAlreadyUploaded: the package of package-ready.json, uploaded again.",
      },
      400,
    );
    const scenarioError = async (
      name: GoldenFileName,
      scenario: "rate-limited" | "unavailable" | "server-error",
      status: number,
      description: string,
    ) => {
      sim.useScenario(scenario);
      try {
        await rec.capture(
          name,
          sim,
          uploadPath(target),
          { ...post(upload, dev), as: "space-developer", setup: `scenario ${scenario}`, description },
          status,
        );
      } finally {
        sim.useScenario("cloud-controller");
      }
    };
    await scenarioError("error-rate-limited.json", "rate-limited", 429, "429 CF-RateLimitExceeded.");
    await scenarioError("error-unavailable.json", "unavailable", 503, "503 CF-ServiceUnavailable.");
    await scenarioError("error-unknown.json", "server-error", 500, "500 UnknownError (no CF- prefix).");
  } finally {
    await sim.close();
  }

  // ---- A suspended space in an active org: the fixture world has none (suspended-space
  // is in suspended-org, whose check comes first), so this simulator's world is the
  // fixture world with mock-space suspended.
  {
    const suspended = createSimulator({
      ...base,
      world: async (seed) => {
        const world = await buildFixtureWorld(seed);
        return { ...world, spaces: world.spaces.map((s) => (s.name === "mock-space" ? { ...s, suspended: true } : s)) };
      },
    });
    try {
      await suspended.ready;
      await rec.capture(
        "error-space-suspended.json",
        suspended,
        `/v3/packages/${fixturePackage(suspended, "web-app", "AWAITING_UPLOAD")}/upload`,
        {
          ...post(upload, dev),
          as: "space-developer",
          setup: "world: the fixture world with mock-space suspended",
          description: "403 CF-SpaceSuspended.",
        },
        403,
      );
    } finally {
      await suspended.close();
    }
  }

  if (problems.length) throw new Error(`generate-golden:\n${problems.join("\n")}`);
  const missing = GOLDEN_FILES.filter((name) => !rec.out.has(name));
  const extra = [...rec.out.keys()].filter((name) => !(GOLDEN_FILES as readonly string[]).includes(name));
  if (missing.length || extra.length) {
    throw new Error(`generate-golden: GOLDEN_FILES and the captures differ: missing ${missing}, extra ${extra}`);
  }
  const result = {} as Record<GoldenFileName, GoldenResponse>;
  for (const name of GOLDEN_FILES) result[name] = rec.out.get(name)!;
  return result;
}

/** `fixtures/golden/README.md`, made from the captures' metadata. */
export function goldenReadme(golden: Record<GoldenFileName, GoldenResponse>): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const rows = GOLDEN_FILES.map((name) => {
    const g = golden[name];
    const path = g.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "{guid}");
    const setup = g.setup ? ` Setup: ${g.setup}.` : "";
    return `| [\`${name}\`](${name}) | ${g.status} | \`${g.method} ${cell(path)}\` as ${cell(g.as)} | ${cell(g.description)}${cell(setup)} |`;
  });
  return `<!-- Generated by scripts/generate-golden.ts: run npm run generate:golden, do not edit. -->

# Golden fixtures

Response bodies of the mock-packages simulator, for teams that want static fixtures
instead of a running simulator. Each file is the JSON body of one real response,
exactly as the simulator sent it (key order included), validated against
\`spec/openapi.yaml\` by \`test/golden.test.ts\`.

They come from a fresh in-process simulator: seed ${GOLDEN_SEED}, no processing delay, the clock fixed
at ${new Date(GOLDEN_NOW).toISOString().replace(/\.000Z$/, "Z")}, links on \`${GOLDEN_ORIGIN}\`, tokens of
the fixture users minted at that clock. Guids, timestamps and checksums are therefore the same
on every run. Regenerate after changing the simulator or the fixture world:

\`\`\`sh
npm run generate:golden
\`\`\`

\`test/golden.test.ts\` fails while a committed file differs from what the simulator answers now.
From code: \`GOLDEN_FILES\` (\`mock-packages/fixtures\`) lists the names; \`loadGolden(name)\` in
\`fixtures/golden.ts\` reads one (Node), typed with the spec's types (\`Package\`, \`Job\`, \`CfErrors\`,
\`PackageList\`).

| file | status | request | what it shows |
| --- | --- | --- | --- |
${rows.join("\n")}

Notes:

- \`job-processing.json\` comes from a second simulator (same seed, clock and first request)
  whose processing delay is one hour: with no delay a job has ended before it can be read. It
  is the same job as \`job-complete.json\`, read before the end.
- \`error-space-suspended.json\` comes from a simulator whose world is the fixture world with
  \`mock-space\` suspended: the fixture world's only suspended space is in a suspended org, and
  the org check answers first.
- \`error-rate-limited.json\`, \`error-unavailable.json\` and \`error-unknown.json\` come from the
  \`rate-limited\`, \`unavailable\` and \`server-error\` scenarios: the simulator has no request that
  provokes them. Every other error is the answer to a real failing request.
- Upload bodies are multipart forms as the cf CLI sends them (\`resources\` first, then \`bits\` as
  \`package.zip\`), built with \`buildCfUploadBody\`.
`;
}

/** The files to write: every golden body, and the README (formatted with the project's Prettier settings). */
export async function goldenFiles(golden: Record<GoldenFileName, GoldenResponse>): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of GOLDEN_FILES) files[name] = serializeGolden(golden[name].body);
  const readme = join(GOLDEN_DIR, "README.md");
  const config = (await prettier.resolveConfig(readme)) ?? {};
  files["README.md"] = await prettier.format(goldenReadme(golden), { ...config, filepath: readme });
  return files;
}

async function main(): Promise<void> {
  const files = await goldenFiles(await generateGolden());
  mkdirSync(GOLDEN_DIR, { recursive: true });
  // Files no longer generated go, so that the folder holds exactly what the generator makes.
  for (const old of readdirSync(GOLDEN_DIR)) {
    if (!(old in files)) rmSync(join(GOLDEN_DIR, old));
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(GOLDEN_DIR, name), text);
  console.log(`wrote ${Object.keys(files).length} files to fixtures/golden/`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
