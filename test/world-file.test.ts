/**
 * World files (src/node/world-file.ts, src/world-file/, fixtures/world.schema.json):
 * a team's own world in YAML or JSON, loaded, served, and refused with exact
 * messages, every problem of a file at once.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildAppZip, buildCfUploadBody, stableGuid, userGuid } from "../fixtures/index.js";
import type { Simulator, WorldData } from "../src/index.js";
import { FEATURE_FLAG_DEFAULTS, PACKAGE_STATES } from "../src/core/world/model.js";
import { WorldFileError, loadWorldFile } from "../src/node/index.js";
import { downloadPackage, postUpload, uploadAndSettle } from "./support/api.js";
import { setup, tokenFor, type Client } from "./support/client.js";
import { sha256 } from "./support/hash.js";
import { readStoredZip } from "./support/stored-zip.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mock-packages-world-"));
  // A folder of bits, with an executable and a nested file.
  await mkdir(join(dir, "shop-src", "public"), { recursive: true });
  await writeFile(join(dir, "shop-src", "server.js"), "require('http').createServer().listen(8080);\n");
  await writeFile(join(dir, "shop-src", "public", "index.html"), "<h1>shop</h1>\n");
  await writeFile(join(dir, "shop-src", "run.sh"), "#!/bin/sh\nnode server.js\n");
  await chmod(join(dir, "shop-src", "run.sh"), 0o755);
  await chmod(join(dir, "shop-src", "server.js"), 0o644);
  await chmod(join(dir, "shop-src", "public", "index.html"), 0o644);
  await writeFile(join(dir, "worker.zip"), await buildAppZip({ "worker.js": "setInterval(() => {}, 1000);\n" }));
  await writeFile(join(dir, "not-a-zip.zip"), "hello, I am text and not a zip archive at all\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let sim: Simulator | undefined;
let api: Client;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The brief's world: one org with a space and an app with a package in each interesting state. */
const WORLD = {
  orgs: [
    {
      name: "acme",
      suspended: false,
      spaces: [
        {
          name: "dev",
          apps: [
            {
              name: "shop",
              lifecycle: "buildpack",
              packages: [
                { state: "AWAITING_UPLOAD" },
                { state: "READY", bits: "./shop-src" },
                { state: "FAILED", error: "The app upload is invalid: Invalid zip archive." },
                { type: "docker", image: "nginx:1.27" },
              ],
            },
            {
              name: "worker",
              state: "STARTED",
              packages: [
                { state: "READY", bits: "worker.zip", labels: { "example.com/tier": "back" } },
                {
                  state: "READY",
                  guid: "6F1D3C2A-8B4E-4C1D-9F00-5A7E2B9C0D11",
                  created_at: "2025-03-01T09:30:00.700Z",
                },
              ],
            },
          ],
        },
        { name: "prod", suspended: true },
      ],
    },
  ],
  users: [
    { name: "alice", roles: ["space_developer@acme/dev"] },
    { name: "bob", roles: ["space_auditor@acme/dev", "org_manager@acme"] },
    { name: "carol", global_role: "admin" },
    { name: "dave" },
  ],
  feature_flags: { diego_docker: true, route_sharing: { enabled: true, custom_error_message: "ask ops" } },
};

async function writeWorld(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("a good world file", () => {
  it("derives guids from names, user guids with userGuid, timestamps from document order", async () => {
    const world = await loadWorldFile(await writeWorld("good.yaml", stringify(WORLD)));
    const acme = stableGuid("org", "acme");
    const dev = stableGuid("space", "acme/dev");
    const shop = stableGuid("app", "acme/dev/shop");
    expect(world.orgs).toEqual([
      {
        guid: acme,
        name: "acme",
        suspended: false,
        beingDeleted: false,
        createdAt: Date.parse("2025-01-01T00:00:00Z"),
      },
    ]);
    expect(world.spaces).toEqual([
      {
        guid: dev,
        name: "dev",
        orgGuid: acme,
        suspended: false,
        beingDeleted: false,
        createdAt: Date.parse("2025-01-01T00:00:01Z"),
      },
      {
        guid: stableGuid("space", "acme/prod"),
        name: "prod",
        orgGuid: acme,
        suspended: true,
        beingDeleted: false,
        // After dev's 2 apps and 6 packages.
        createdAt: Date.parse("2025-01-01T00:00:10Z"),
      },
    ]);
    expect(world.apps.map((a) => [a.name, a.guid, a.lifecycle, a.state, iso(a.createdAt)])).toEqual([
      ["shop", shop, "buildpack", "STOPPED", "2025-01-01T00:00:02.000Z"],
      ["worker", stableGuid("app", "acme/dev/worker"), "buildpack", "STARTED", "2025-01-01T00:00:07.000Z"],
    ]);
    expect(
      world.packages.map((p) => [p.guid, p.type, p.state, iso(p.createdAt), p.error ?? null, p.docker ?? null]),
    ).toEqual([
      [stableGuid("package", "acme/dev/shop#0"), "bits", "AWAITING_UPLOAD", "2025-01-01T00:00:03.000Z", null, null],
      [stableGuid("package", "acme/dev/shop#1"), "bits", "READY", "2025-01-01T00:00:04.000Z", null, null],
      [
        stableGuid("package", "acme/dev/shop#2"),
        "bits",
        "FAILED",
        "2025-01-01T00:00:05.000Z",
        "The app upload is invalid: Invalid zip archive.",
        null,
      ],
      [
        stableGuid("package", "acme/dev/shop#3"),
        "docker",
        "READY",
        "2025-01-01T00:00:06.000Z",
        null,
        { image: "nginx:1.27", username: null, password: null },
      ],
      [stableGuid("package", "acme/dev/worker#0"), "bits", "READY", "2025-01-01T00:00:08.000Z", null, null],
      // A given guid is kept (lower-cased), a given time kept to the second.
      ["6f1d3c2a-8b4e-4c1d-9f00-5a7e2b9c0d11", "bits", "READY", "2025-03-01T09:30:00.000Z", null, null],
    ]);
    expect(world.packages[4]!.labels).toEqual({ "example.com/tier": "back" });
    expect(world.users).toEqual([
      {
        guid: userGuid("alice"),
        name: "alice",
        orgRoles: [{ orgGuid: acme, role: "org_user" }],
        spaceRoles: [{ spaceGuid: dev, role: "space_developer" }],
      },
      {
        guid: userGuid("bob"),
        name: "bob",
        orgRoles: [
          { orgGuid: acme, role: "org_user" },
          { orgGuid: acme, role: "org_manager" },
        ],
        spaceRoles: [{ spaceGuid: dev, role: "space_auditor" }],
      },
      { guid: userGuid("carol"), name: "carol", orgRoles: [], spaceRoles: [], globalRole: "admin" },
      { guid: userGuid("dave"), name: "dave", orgRoles: [], spaceRoles: [] },
    ]);
    expect(world.featureFlags).toEqual({
      diego_docker: { enabled: true, customErrorMessage: null },
      route_sharing: { enabled: true, customErrorMessage: "ask ops" },
    });
  });

  it("gives the same world from JSON as from YAML, and the same bytes on every load", async () => {
    const fromYaml = await loadWorldFile(await writeWorld("same.yaml", stringify(WORLD)));
    const fromJson = await loadWorldFile(await writeWorld("same.json", JSON.stringify(WORLD, null, 2)));
    expect(fromJson).toEqual(fromYaml);
    const again = await loadWorldFile(join(dir, "same.yaml"));
    expect(again.packages.map((p) => p.bits && sha256(p.bits))).toEqual(
      fromYaml.packages.map((p) => p.bits && sha256(p.bits)),
    );
  });

  for (const format of ["yaml", "json"] as const) {
    it(`serves a ${format} world: alice finds her app and uploads to its AWAITING_UPLOAD package`, async () => {
      const text = format === "yaml" ? stringify(WORLD) : JSON.stringify(WORLD);
      const world = await loadWorldFile(await writeWorld(`serve.${format}`, text));
      ({ sim, api } = await setup({ world, processingDelay: 0 }));
      const token = await tokenFor("alice");

      const apps = await api.call("/v3/apps?names=shop", { token });
      expect(apps.status, apps.text).toBe(200);
      expect(apps.json.resources.map((a: any) => [a.guid, a.name, a.created_at])).toEqual([
        [stableGuid("app", "acme/dev/shop"), "shop", "2025-01-01T00:00:02Z"],
      ]);

      const listed = await api.call(`/v3/packages?app_guids=${stableGuid("app", "acme/dev/shop")}`, { token });
      expect(listed.status, listed.text).toBe(200);
      expect(listed.json.resources.map((p: any) => [p.type, p.state])).toEqual([
        ["bits", "AWAITING_UPLOAD"],
        ["bits", "READY"],
        ["bits", "FAILED"],
        ["docker", "READY"],
      ]);

      const awaiting = stableGuid("package", "acme/dev/shop#0");
      const pkg = await uploadAndSettle(
        sim,
        api,
        awaiting,
        { bits: await buildAppZip({ "index.js": "1\n" }) },
        "alice",
      );
      expect(pkg.state, JSON.stringify(pkg.data)).toBe("READY");
    });
  }

  it("applies the roles: a space auditor may look but not upload, a user without roles sees nothing", async () => {
    const world = await loadWorldFile(await writeWorld("roles.yaml", stringify(WORLD)));
    ({ sim, api } = await setup({ world }));
    const awaiting = stableGuid("package", "acme/dev/shop#0");
    const body = buildCfUploadBody({ bits: await buildAppZip({ "index.js": "1\n" }) });
    const upload = (user: string) => postUpload(api, awaiting, body, { user });
    const bob = await upload("bob");
    expect(bob.status, bob.text).toBe(403);
    expect(bob.json.errors[0].title).toBe("CF-NotAuthorized");
    const dave = await upload("dave");
    expect(dave.status, dave.text).toBe(404);
    expect((await api.call("/v3/apps?names=shop", { token: await tokenFor("dave") })).json.resources).toEqual([]);
    const flag = await api.call("/v3/feature_flags/route_sharing", { user: "alice" });
    expect([flag.json.enabled, flag.json.custom_error_message]).toEqual([true, "ask ops"]);
    // carol is an admin by her global role in the world, with an ordinary token.
    const carol = await upload("carol");
    expect(carol.status, carol.text).toBe(200);
  });

  it("serves a READY package's bits from a folder (zipped, sorted, modes kept) and from a zip file (as is)", async () => {
    const world = await loadWorldFile(await writeWorld("bits.yaml", stringify(WORLD)));
    ({ sim, api } = await setup({ world }));

    const folder = await downloadPackage(api, stableGuid("package", "acme/dev/shop#1"), "alice");
    expect((await readStoredZip(folder)).map((e) => [e.name, e.mode, e.text])).toEqual([
      ["public/index.html", 0o100644, "<h1>shop</h1>\n"],
      ["run.sh", 0o100755, "#!/bin/sh\nnode server.js\n"],
      ["server.js", 0o100644, "require('http').createServer().listen(8080);\n"],
    ]);
    const shown = await api.call(`/v3/packages/${stableGuid("package", "acme/dev/shop#1")}`, { user: "alice" });
    expect(shown.json.data.checksum).toEqual({ type: "sha256", value: sha256(folder) });

    const zip = await downloadPackage(api, stableGuid("package", "acme/dev/worker#0"), "alice");
    expect(sha256(zip)).toBe(sha256(new Uint8Array(await readFile(join(dir, "worker.zip")))));

    const generated = await downloadPackage(api, "6f1d3c2a-8b4e-4c1d-9f00-5a7e2b9c0d11", "alice");
    expect((await readStoredZip(generated)).map((e) => [e.name, e.mode, e.text])).toEqual([
      ["index.html", 0o100644, "<!doctype html><title>worker</title><h1>worker</h1>\n"],
    ]);
  });

  it("follows symlinks to files in a bits folder and skips symlinks to folders", async () => {
    await mkdir(join(dir, "linked", "real"), { recursive: true });
    await writeFile(join(dir, "linked", "real", "a.txt"), "a\n");
    await symlink("real/a.txt", join(dir, "linked", "b.txt"));
    await symlink("real", join(dir, "linked", "dir-link"));
    const world = await loadWorldFile(
      await writeWorld(
        "linked.yaml",
        "orgs: [{name: o, spaces: [{name: s, apps: [{name: a, packages: [{state: READY, bits: linked}]}]}]}]\n",
      ),
    );
    const entries = await readStoredZip(world.packages[0]!.bits!);
    expect(entries.map((e) => [e.name, e.text])).toEqual([
      ["b.txt", "a\n"],
      ["real/a.txt", "a\n"],
    ]);
  });

  it("loads the documented example, fixtures/world-file.example.yaml", async () => {
    const world: WorldData = await loadWorldFile("fixtures/world-file.example.yaml");
    expect(world.orgs.map((o) => [o.name, o.suspended])).toEqual([
      ["acme", false],
      ["frozen", true],
    ]);
    expect(world.apps.map((a) => [a.name, a.lifecycle ?? "buildpack"])).toEqual([
      ["shop", "buildpack"],
      ["worker", "buildpack"],
      ["proxy", "docker"],
      ["shop", "buildpack"],
    ]);
    const proxy = world.apps.find((a) => a.name === "proxy")!;
    expect(world.packages.filter((p) => p.type === "docker").map((p) => p.appGuid)).toEqual([proxy.guid]);
    expect(world.users.map((u) => [u.name, u.globalRole ?? null])).toEqual([
      ["alice", null],
      ["bob", null],
      ["carol", "admin"],
      ["dave", null],
    ]);
    const entries = await readStoredZip(world.packages[1]!.bits!);
    expect(entries.map((e) => e.name)).toEqual(["package.json", "public/index.html", "server.js"]);
    ({ sim, api } = await setup({ world }));
    const apps = await api.call("/v3/apps?names=shop", { user: "alice" });
    expect(apps.json.resources.map((a: any) => a.guid)).toEqual([stableGuid("app", "acme/dev/shop")]);
  });
});

describe("a bad world file", () => {
  /** Writes `content` as `name`, loads it, and answers the error's message. */
  async function failure(name: string, content: string): Promise<string> {
    const path = await writeWorld(name, content);
    const error = await loadWorldFile(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorldFileError);
    const message = (error as WorldFileError).message;
    expect(message.startsWith(`${path}: `)).toBe(true);
    return message.slice(path.length + 2);
  }
  const app = (packages: string) =>
    `orgs:\n  - name: acme\n    spaces:\n      - name: dev\n        apps:\n          - name: shop\n            packages:\n${packages}`;

  it("bad YAML syntax: the line and column", async () => {
    expect(await failure("syntax.yaml", "orgs:\n  - name: acme\n    spaces: [dev\n  - name: other\n")).toBe(
      "line 4, column 3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    expect(await failure("dup-key.yaml", "orgs: []\norgs: []\n")).toBe(
      "line 2, column 1: invalid YAML: Map keys must be unique",
    );
  });

  it("bad JSON syntax: the line and column", async () => {
    expect(await failure("syntax.json", '{\n  "orgs": [\n    {"name": "acme",}\n  ]\n}\n')).toBe(
      "line 3, column 21: invalid JSON: Expected double-quoted property name",
    );
  });

  it("a schema violation: the path inside the file and what is wrong", async () => {
    expect(
      await failure("state.yaml", app("              - state: AWAITING_UPLOAD\n              - state: DONE\n")),
    ).toBe(
      'orgs[0].spaces[0].apps[0].packages[1].state: must be one of AWAITING_UPLOAD, PROCESSING_UPLOAD, READY, FAILED, COPYING, EXPIRED (got "DONE")',
    );
  });

  it("other schema violations", async () => {
    expect(await failure("unknown-prop.yaml", "orgs:\n  - name: acme\n    colour: red\n")).toBe(
      "orgs[0].colour: is not a property of an org; its properties are name, guid, suspended, being_deleted, created_at, spaces",
    );
    expect(await failure("no-name.yaml", "orgs:\n  - spaces: []\n")).toBe("orgs[0].name: is required");
    expect(await failure("type.yaml", "orgs:\n  - name: acme\n    suspended: yes\n")).toBe(
      'orgs[0].suspended: must be true or false (got "yes")',
    );
    expect(await failure("slash.yaml", "orgs:\n  - name: a/b\n")).toBe(
      'orgs[0].name: must not contain "/" or "@" (they separate names in roles) (got "a/b")',
    );
    expect(await failure("guid.yaml", "orgs:\n  - name: acme\n    guid: 1234\n")).toBe(
      "orgs[0].guid: must be a string (got 1234)",
    );
    expect(await failure("guid2.yaml", "orgs:\n  - name: acme\n    guid: not-a-guid\n")).toBe(
      'orgs[0].guid: must be a guid such as 0c6d6e6a-2f1b-4a5e-9a39-3f5f4b7c8d90 (got "not-a-guid")',
    );
    expect(await failure("time.yaml", "orgs:\n  - name: acme\n    created_at: yesterday\n")).toBe(
      'orgs[0].created_at: must be a date-time such as 2025-01-15T12:00:00Z (got "yesterday")',
    );
    expect(await failure("role-shape.yaml", "users:\n  - name: alice\n    roles: [developer@acme]\n")).toBe(
      'users[0].roles[0]: must be "<space role>@<org>/<space>" or "<org role>@<org>", with space roles space_developer, ' +
        "space_manager, space_auditor, space_supporter and org roles org_manager, org_auditor, org_billing_manager, " +
        'org_user, e.g. "space_developer@acme/dev" (got "developer@acme")',
    );
    expect(await failure("global.yaml", "users:\n  - name: alice\n    global_role: root\n")).toBe(
      'users[0].global_role: must be one of admin, admin_read_only, global_auditor (got "root")',
    );
    expect(
      await failure("user-guid.yaml", "users:\n  - name: alice\n    guid: 0c6d6e6a-2f1b-4a5e-9a39-3f5f4b7c8d90\n"),
    ).toBe("users[0].guid: is not a property of a user; its properties are name, global_role, roles, password");
    expect(await failure("flag.yaml", "feature_flags:\n  app_bits_uploads: true\n")).toBe(
      `feature_flags.app_bits_uploads: is not a feature flag; the flags are ${Object.keys(FEATURE_FLAG_DEFAULTS).join(", ")}`,
    );
    expect(await failure("flag2.yaml", "feature_flags:\n  app_bits_upload: 'no'\n")).toBe(
      'feature_flags.app_bits_upload: must be true or false, or a mapping (got "no")',
    );
    expect(await failure("flag3.yaml", "feature_flags:\n  app_bits_upload: {enabled: 1}\n")).toBe(
      "feature_flags.app_bits_upload.enabled: must be true or false (got 1)",
    );
    expect(await failure("label.yaml", app('              - labels: {"example.com/x": 1}\n'))).toBe(
      'orgs[0].spaces[0].apps[0].packages[0].labels["example.com/x"]: must be a string (got 1)',
    );
    expect(await failure("top.yaml", "- orgs\n")).toBe("(top level): must be a mapping (got a list)");
    expect(await failure("empty.yaml", "")).toBe(
      "the file is empty; a world file is a mapping with orgs, users and feature_flags",
    );
  });

  it("a role naming an unknown org or space", async () => {
    expect(
      await failure(
        "role-org.yaml",
        "orgs:\n  - name: acme\n    spaces: [{name: dev}]\nusers:\n  - name: alice\n    roles: [org_auditor@acme, space_developer@acme2/dev]\n",
      ),
    ).toBe('users[0].roles[1]: unknown org "acme2" in "space_developer@acme2/dev" (orgs in this file: acme)');
    expect(
      await failure(
        "role-space.yaml",
        "orgs:\n  - name: acme\n    spaces: [{name: dev}, {name: prod}]\nusers:\n  - name: alice\n    roles: [space_developer@acme/qa]\n",
      ),
    ).toBe('users[0].roles[0]: unknown space "qa" of org acme in "space_developer@acme/qa" (its spaces: dev, prod)');
  });

  it("a missing bits file, and bits that are not a zip", async () => {
    const path = join(dir, "missing.zip");
    expect(
      await failure("missing-bits.yaml", app("              - state: READY\n                bits: ./missing.zip\n")),
    ).toBe(`orgs[0].spaces[0].apps[0].packages[0].bits: no such file or folder: ./missing.zip (looked for ${path})`);
    expect(
      await failure("text-bits.yaml", app("              - state: READY\n                bits: not-a-zip.zip\n")),
    ).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].bits: not-a-zip.zip is not a zip archive (end-of-central-directory signature not found)",
    );
    await mkdir(join(dir, "empty-folder"), { recursive: true });
    expect(
      await failure("empty-bits.yaml", app("              - state: READY\n                bits: empty-folder\n")),
    ).toBe("orgs[0].spaces[0].apps[0].packages[0].bits: the folder empty-folder holds no files");
  });

  it("duplicate names and guids", async () => {
    expect(
      await failure(
        "dup-app.yaml",
        "orgs:\n  - name: acme\n    spaces:\n      - name: dev\n        apps:\n          - name: shop\n          - name: cart\n          - name: shop\n",
      ),
    ).toBe(
      'orgs[0].spaces[0].apps[2].name: duplicate app name "shop" in space acme/dev (first at orgs[0].spaces[0].apps[0])',
    );
    expect(await failure("dup-org.yaml", "orgs:\n  - name: acme\n  - name: acme\n")).toBe(
      'orgs[1].name: duplicate org name "acme" (first at orgs[0])',
    );
    expect(await failure("dup-space.yaml", "orgs:\n  - name: acme\n    spaces: [{name: dev}, {name: dev}]\n")).toBe(
      'orgs[0].spaces[1].name: duplicate space name "dev" in org acme (first at orgs[0].spaces[0])',
    );
    expect(await failure("dup-user.yaml", "users:\n  - name: alice\n  - name: alice\n")).toBe(
      'users[1].name: duplicate user name "alice" (first at users[0])',
    );
    const g = "0c6d6e6a-2f1b-4a5e-9a39-3f5f4b7c8d90";
    expect(
      await failure("dup-guid.yaml", app(`              - guid: ${g}\n              - guid: ${g.toUpperCase()}\n`)),
    ).toBe(
      `orgs[0].spaces[0].apps[0].packages[1].guid: ${g} is already the guid of orgs[0].spaces[0].apps[0].packages[0]`,
    );
    // The same app name in two spaces is fine.
    const ok = await loadWorldFile(
      await writeWorld(
        "two-spaces.yaml",
        "orgs:\n  - name: acme\n    spaces: [{name: a, apps: [{name: shop}]}, {name: b, apps: [{name: shop}]}]\n",
      ),
    );
    expect(ok.apps.map((a) => a.guid)).toEqual([stableGuid("app", "acme/a/shop"), stableGuid("app", "acme/b/shop")]);
  });

  it("fields that do not fit the package", async () => {
    expect(await failure("bits-state.yaml", app("              - bits: ./worker.zip\n"))).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].bits: only a READY bits package has bits (this one is AWAITING_UPLOAD)",
    );
    expect(await failure("error-state.yaml", app("              - state: READY\n                error: boom\n"))).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].error: only a FAILED package has an error (this one is READY)",
    );
    expect(await failure("docker-no-image.yaml", app("              - type: docker\n"))).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].image: is required for a docker package",
    );
    expect(await failure("bits-image.yaml", app("              - type: bits\n                image: nginx\n"))).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].image: only a docker package has an image (this one is a bits package)",
    );
    expect(
      await failure("docker-bits.yaml", app("              - image: nginx\n                bits: ./worker.zip\n")),
    ).toBe(
      "orgs[0].spaces[0].apps[0].packages[0].bits: only a READY bits package has bits (this one is a docker package)",
    );
  });

  it("a file that is not there", async () => {
    const path = join(dir, "nope.yaml");
    await expect(loadWorldFile(path)).rejects.toThrow(`${path}: cannot read the world file: no such file`);
    const rel = relative(process.cwd(), path);
    const error = (await loadWorldFile(rel).catch((e: unknown) => e)) as WorldFileError;
    expect(error).toBeInstanceOf(WorldFileError);
    expect([error.file, error.location, error.problem]).toEqual([
      rel,
      null,
      "cannot read the world file: no such file",
    ]);
  });
});

describe("a file with several mistakes", () => {
  /** Loads `content` as `name` and answers the error, which must be a WorldFileError. */
  async function failing(name: string, content: string): Promise<{ path: string; error: WorldFileError }> {
    const path = await writeWorld(name, content);
    const error = await loadWorldFile(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorldFileError);
    return { path, error: error as WorldFileError };
  }
  const places = (e: WorldFileError) => e.problems.map((p) => [p.location, p.line, p.column]);

  it("reports every schema mistake with its place, line and column, in the order of the file", async () => {
    const { path, error } = await failing(
      "many-schema.yaml",
      [
        "orgs:",
        "  - name: acme",
        "    colour: red",
        "    suspended: yes",
        "  - spaces: []",
        "users:",
        "  - name: alice",
        "    roles: [developer@acme]",
        "feature_flags:",
        "  app_bits_upload: {enabled: 1}",
        "",
      ].join("\n"),
    );
    expect(places(error)).toEqual([
      ["orgs[0].colour", 3, 5],
      ["orgs[0].suspended", 4, 16],
      ["orgs[1].name", 5, 5],
      ["users[0].roles[0]", 8, 13],
      ["feature_flags.app_bits_upload.enabled", 10, 30],
    ]);
    expect(error.problems.map((p) => p.problem)).toEqual([
      "is not a property of an org; its properties are name, guid, suspended, being_deleted, created_at, spaces",
      'must be true or false (got "yes")',
      "is required",
      expect.stringMatching(/^must be "<space role>@<org>\/<space>" or .* \(got "developer@acme"\)$/),
      "must be true or false (got 1)",
    ]);
    // The first problem is the error's location and problem, as with a single one.
    expect([error.location, error.problem]).toEqual(["orgs[0].colour", error.problems[0]!.problem]);
    const lines = error.message.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `${path}: 5 problems:`,
      "  orgs[0].colour (line 3, column 5): is not a property of an org; its properties are name, guid, suspended, being_deleted, created_at, spaces",
      '  orgs[0].suspended (line 4, column 16): must be true or false (got "yes")',
      "  orgs[1].name (line 5, column 5): is required",
    ]);
    expect(lines).toHaveLength(6);
  });

  it("reports every semantic mistake: duplicate names, an unknown org in a role, fields that do not fit", async () => {
    const { path, error } = await failing(
      "many-semantic.yaml",
      [
        "orgs:",
        "  - name: acme",
        "    spaces:",
        "      - name: dev",
        "        apps:",
        "          - name: shop",
        "            packages:",
        "              - {state: READY, error: boom}",
        "          - name: shop",
        "  - name: acme",
        "    spaces: [{name: dev}]",
        "users:",
        "  - name: alice",
        "    roles: [org_user@acme, space_developer@acme2/dev]",
        "",
      ].join("\n"),
    );
    expect(error.problems).toEqual([
      {
        location: "orgs[0].spaces[0].apps[0].packages[0].error",
        line: 8,
        column: 39,
        problem: "only a FAILED package has an error (this one is READY)",
      },
      {
        location: "orgs[0].spaces[0].apps[1].name",
        line: 9,
        column: 19,
        problem: 'duplicate app name "shop" in space acme/dev (first at orgs[0].spaces[0].apps[0])',
      },
      // The second acme's space has the first one's derived guid: only the name is reported.
      { location: "orgs[1].name", line: 10, column: 11, problem: 'duplicate org name "acme" (first at orgs[0])' },
      {
        location: "users[0].roles[1]",
        line: 14,
        column: 28,
        problem: 'unknown org "acme2" in "space_developer@acme2/dev" (orgs in this file: acme)',
      },
    ]);
    expect(error.message).toBe(
      [
        `${path}: 4 problems:`,
        "  orgs[0].spaces[0].apps[0].packages[0].error (line 8, column 39): only a FAILED package has an error (this one is READY)",
        '  orgs[0].spaces[0].apps[1].name (line 9, column 19): duplicate app name "shop" in space acme/dev (first at orgs[0].spaces[0].apps[0])',
        '  orgs[1].name (line 10, column 11): duplicate org name "acme" (first at orgs[0])',
        '  users[0].roles[1] (line 14, column 28): unknown org "acme2" in "space_developer@acme2/dev" (orgs in this file: acme)',
      ].join("\n"),
    );
  });

  it("reports several mistakes in a JSON file with their lines and columns", async () => {
    const { error } = await failing(
      "many.json",
      '{\n  "orgs": [\n    {"name": "acme", "suspended": "no"},\n    {"name": "a/b"}\n  ],\n' +
        '  "users": [{"name": "bob", "roles": ["x"]}]\n}\n',
    );
    expect(places(error)).toEqual([
      ["orgs[0].suspended", 3, 35],
      ["orgs[1].name", 4, 14],
      ["users[0].roles[0]", 6, 39],
    ]);
    expect(error.problems[1]!.problem).toBe('must not contain "/" or "@" (they separate names in roles) (got "a/b")');
  });

  it("reports missing bits among other mistakes, and semantic mistakes only once the schema passes", async () => {
    const { error } = await failing(
      "bits-and-dup.yaml",
      "orgs:\n  - name: o\n    spaces: [{name: s, apps: [{name: a, packages: [{state: READY, bits: nope.zip}]}]}]\n" +
        "users: [{name: u}, {name: u}]\n",
    );
    expect(places(error)).toEqual([
      ["orgs[0].spaces[0].apps[0].packages[0].bits", 3, 73],
      ["users[1].name", 4, 27],
    ]);
    const schemaToo = await failing("schema-and-dup.yaml", "orgs:\n  - name: o\n  - name: o\n    suspended: 1\n");
    expect(schemaToo.error.problems).toEqual([
      { location: "orgs[1].suspended", line: 4, column: 16, problem: "must be true or false (got 1)" },
    ]);
  });

  it("a syntax error stops at the syntax error, with its line and column", async () => {
    // suspended: yes breaks the schema too, but a document that does not parse cannot be checked.
    const { error } = await failing("syntax-only.yaml", "orgs:\n  - name: acme\n    suspended: yes\n  bad\n");
    expect(error.problems).toEqual([
      {
        location: "line 4, column 1",
        line: 4,
        column: 1,
        problem: "invalid YAML: All mapping items must start at the same column",
      },
    ]);
  });
});

describe("the published schema", () => {
  const schemaText = () => readFile("fixtures/world.schema.json", "utf8");

  it("is valid JSON Schema 2020-12, and the example file follows it", async () => {
    const schema = JSON.parse(await schemaText());
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    const { parse } = await import("yaml");
    expect(
      validate(parse(await readFile("fixtures/world-file.example.yaml", "utf8"))),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it("describes every property", async () => {
    const schema = JSON.parse(await schemaText());
    const undescribed: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
      if (node === null || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      for (const [key, sub] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
        if (typeof (sub as { description?: unknown }).description !== "string") undescribed.push(`${where}.${key}`);
      }
      for (const [key, value] of Object.entries(n)) visit(value, `${where}.${key}`);
    };
    visit(schema, "#");
    expect(undescribed).toEqual([]);
    const props = JSON.stringify(schema).match(/"properties":\{/g) ?? [];
    // The top level, org, space, app, package, user, client, feature flag and scenario.
    expect(props.length).toBe(9);
  });

  it("lists exactly the simulator's feature flags and package states", async () => {
    const schema = JSON.parse(await schemaText());
    expect(schema.properties.feature_flags.propertyNames.enum).toEqual(Object.keys(FEATURE_FLAG_DEFAULTS));
    expect(schema.$defs.package.properties.state.enum).toEqual([...PACKAGE_STATES]);
  });
});
