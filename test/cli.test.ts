/**
 * The `mock-packages` command, run as a user runs it: the seed's curl flow over
 * real HTTP, the token subcommand, flags, errors and a clean stop.
 */
import { existsSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip, buildCfUploadBody } from "../fixtures/index.js";
import { postUpload } from "./support/api.js";
import { overHttp, type Client } from "./support/client.js";
import { runCli, startCli, type RunningCli } from "./support/cli.js";
import { sha256 } from "./support/hash.js";

// Each test of these groups runs processes of its own: they run side by side.
describe.concurrent("one-shot commands", () => {
  it("--help explains the commands and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mock-packages token --user NAME");
    expect(r.stdout).toContain("--processing-delay MS");
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("token prints only a JWT for the user, with the claims a client decodes", async () => {
    const r = await runCli(["token", "--user", "space-developer"]);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(r.stdout).toBe(token + "\n");
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims.user_name).toBe("space-developer");
    expect(claims.scope).toContain("cloud_controller.write");
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it("token --expired and --scope give the variants a test needs", async () => {
    const expired = JSON.parse(
      Buffer.from(
        (await runCli(["token", "--user", "admin", "--expired"])).stdout.split(".")[1]!,
        "base64url",
      ).toString(),
    );
    expect(expired.exp).toBeLessThan(Date.now() / 1000);
    const scoped = JSON.parse(
      Buffer.from(
        (await runCli(["token", "--user", "admin", "--scope", "cloud_controller.read"])).stdout.split(".")[1]!,
        "base64url",
      ).toString(),
    );
    expect(scoped.scope).toEqual(["cloud_controller.read"]);
  });

  it("rejects an unknown flag in its own words, with the nearest known flag and a --help hint, exit 2", async () => {
    const r = await runCli(["--prot", "4010"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "mock-packages: unknown option --prot; did you mean --port?\nRun 'mock-packages --help' for the options.\n",
    );
    const far = await runCli(["--bogus"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("mock-packages: unknown option --bogus\n");
  });

  it("says which flag needs a value and which takes none, exit 2", async () => {
    const missing = await runCli(["--port"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("mock-packages: --port needs a value\n");
    expect(missing.stderr).toContain("Run 'mock-packages --help' for the options.");
    const dash = await runCli(["--port", "--quiet"]);
    expect(dash.stderr).toContain("--port needs a value");
    const extra = await runCli(["--quiet=yes"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("--quiet is an on/off option and takes no value");
  });

  it("help is --help, and --help documents serve as the default command", async () => {
    const help = await runCli(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await runCli(["--help"])).stdout);
    expect(help.stdout).toContain("mock-packages [serve] [options]");
    expect(help.stdout).toContain("MOCK_PACKAGES_PORT");
    const unknown = await runCli(["sevre"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("(commands: serve, token, scenarios, help)");
  });

  it("scenarios --json prints the catalog as one JSON document", async () => {
    const r = await runCli(["scenarios", "--json"]);
    expect(r.code).toBe(0);
    const { scenarios } = JSON.parse(r.stdout);
    expect(scenarios[0]).toEqual({
      name: "cloud-controller",
      description: expect.stringContaining("real controller"),
      options: [],
      answers: { status: 200, error: null, before: null, accepted: "package", outcome: "process" },
    });
    const failing = scenarios.find((s: { name: string }) => s.name === "processing-fails");
    expect(failing.options).toEqual(["error"]);
    expect(scenarios.find((s: { name: string }) => s.name === "unauthenticated").answers).toMatchObject({
      status: 401,
      error: "CF-NotAuthenticated",
    });
  });

  it("takes server flags from MOCK_PACKAGES_* variables, and an invalid one is named", async () => {
    const port = await runCli([], 20_000, { MOCK_PACKAGES_PORT: "banana" });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("MOCK_PACKAGES_PORT takes a whole number of 0 or more, got 'banana'");
    const quiet = await runCli([], 20_000, { MOCK_PACKAGES_QUIET: "yes" });
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toContain("MOCK_PACKAGES_QUIET takes 1, true, 0 or false, got 'yes'");
    const blob = await runCli([], 20_000, { MOCK_PACKAGES_BLOBSTORE: "s3" });
    expect(blob.stderr).toContain("MOCK_PACKAGES_BLOBSTORE takes remote");
    // The flag wins over the variable: the bad variable is never read.
    const key = await runCli(["--port", "x"], 20_000, { MOCK_PACKAGES_PORT: "4010" });
    expect(key.stderr).toContain("--port takes a whole number");
  });

  it("rejects a --resource-cache-budget that is not a number of bytes, with exit 2", async () => {
    const r = await runCli(["--resource-cache-budget", "1GiB"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--resource-cache-budget takes a whole number of 0 or more, got '1GiB'");
    expect((await runCli(["--help"])).stdout).toContain("--resource-cache-budget BYTES");
  });

  it("rejects token without --user, and a bad port, with exit 2", async () => {
    const a = await runCli(["token"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("token needs --user NAME");
    const b = await runCli(["--port", "banana"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--port takes a whole number");
  });
});

describe("the server", () => {
  let server: RunningCli;
  let api: Client;
  let token: string;

  beforeAll(async () => {
    server = await startCli(["--processing-delay", "100"]);
    api = overHttp(server.url);
    token = (await runCli(["token", "--user", "space-developer"])).stdout.trim();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("listens on 127.0.0.1 and prints the fixture users and packages", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain("space-developer");
    expect(server.output()).toMatch(/AWAITING_UPLOAD\s+web-app/);
  });

  it("serves the seed's flow: upload, 200 PROCESSING_UPLOAD, then READY with the sha256 of the download", async () => {
    const apps = await api.call("/v3/apps?names=web-app", { token });
    const app = apps.json.resources[0].guid;
    const list = await api.call(`/v3/packages?app_guids=${app}&states=AWAITING_UPLOAD`, { token });
    const guid = list.json.resources[0].guid;
    const form = new FormData();
    form.set("bits", new Blob([await buildAppZip({ "index.html": "<h1>hi</h1>" })]), "app.zip");
    form.set("resources", "[]");
    const up = await api.call(`/v3/packages/${guid}/upload`, { method: "POST", token, body: form });
    expect(up.status).toBe(200);
    expect(up.json.state).toBe("PROCESSING_UPLOAD");
    expect(up.json.links.self.href).toBe(`${server.url}/v3/packages/${guid}`);
    let pkg = (await api.call(`/v3/packages/${guid}`, { token })).json;
    for (let i = 0; i < 100 && pkg.state === "PROCESSING_UPLOAD"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pkg = (await api.call(`/v3/packages/${guid}`, { token })).json;
    }
    expect(pkg.state).toBe("READY");
    const download = await api.call(`/v3/packages/${guid}/download`, { token });
    expect(download.status).toBe(200);
    expect(pkg.data.checksum).toEqual({ type: "sha256", value: sha256(download.bytes) });
    expect(server.output()).toMatch(new RegExp(`POST /v3/packages/${guid}/upload 200 \\d+\\.\\dms`));
  });

  it("logs each request with its time (ISO 8601, ms) and, for an upload, the scenario that answered", async () => {
    // A scenario that answers before the package's state is looked at: the package stays as it is.
    const list = await api.call(`/v3/packages?states=AWAITING_UPLOAD`, { token });
    const guid = list.json.resources[0].guid;
    const up = await postUpload(api, guid, buildCfUploadBody({ bits: await buildAppZip({ "a.txt": "a" }) }), {
      token,
      headers: { Prefer: "scenario=unauthenticated" },
    });
    expect(up.status).toBe(401);
    // The line is written once the answer is: give the child a moment to print it.
    for (let i = 0; i < 40 && !server.output().includes(`${guid}/upload 401`); i++)
      await new Promise((r) => setTimeout(r, 50));
    const time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    expect(server.output()).toMatch(
      new RegExp(`^${time} POST /v3/packages/${guid}/upload 401 \\d+\\.\\dms scenario=unauthenticated$`, "m"),
    );
    expect(server.output()).toMatch(new RegExp(`^${time} GET /v3/packages\\?states=AWAITING_UPLOAD 200 \\S+ms$`, "m"));
  });

  it("shows the orgs, spaces and apps with their guids in the banner", async () => {
    const app = (await api.call("/v3/apps?names=web-app", { token })).json.resources[0];
    const space = (await api.call(`/v3/spaces/${app.relationships.space.data.guid}`, { token })).json;
    expect(server.output()).toContain(`space ${space.name}  ${space.guid}`);
    expect(server.output()).toContain(`app web-app  ${app.guid}`);
    expect(server.output()).toContain(`web-app (app ${app.guid}, space ${space.name})`);
  });

  it("keeps the package uploadable after a client disconnects halfway, with no temporary file left", async () => {
    const dir = /Bits are kept in (\S+)/.exec(server.output())![1]!;
    const before = readdirSync(dir).length;
    const list = await api.call(`/v3/packages?states=AWAITING_UPLOAD`, {
      token: (await runCli(["token", "--user", "admin"])).stdout.trim(),
    });
    const guid = list.json.resources.find((p: any) => p.guid)!.guid;
    const body = buildCfUploadBody({ bits: new Uint8Array(1024 * 1024) });
    const { port } = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /v3/packages/${guid}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: bearer ${token}\r\n` +
            `Content-Type: ${body.contentType}\r\nContent-Length: ${body.body.length}\r\n\r\n`,
        );
        socket.write(body.body.subarray(0, 300 * 1024), () => setTimeout(() => socket.destroy(), 100));
      });
      socket.on("close", () => resolve());
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(dir).length).toBe(before);
    const admin = (await runCli(["token", "--user", "admin"])).stdout.trim();
    expect((await api.call(`/v3/packages/${guid}`, { token: admin })).json.state).toBe("AWAITING_UPLOAD");
    const again = await postUpload(api, guid, body, { token: admin });
    expect(again.status).toBe(200);
  });
});

describe.concurrent("start-up and stop", () => {
  it("stops cleanly on SIGTERM and removes its temporary folder", async () => {
    const server = await startCli();
    const dir = /Bits are kept in (\S+)/.exec(server.output())![1]!;
    expect(existsSync(dir)).toBe(true);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it("--pid-file (here from MOCK_PACKAGES_PID_FILE) holds the process id while it runs, and is removed at stop", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "pid-")), "server.pid");
    const server = await startCli([], 20_000, { MOCK_PACKAGES_PORT: "0", MOCK_PACKAGES_PID_FILE: file });
    expect(readFileSync(file, "utf8")).toBe(`${server.child.pid}\n`);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it("says so when the --pid-file cannot be written, exit 1", async () => {
    const r = await runCli(["--port", "0", "--pid-file", "/nonexistent-dir/server.pid"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot write the --pid-file /nonexistent-dir/server.pid");
  });

  it("says what to do when the port is taken, exit 1", async () => {
    const first = await startCli();
    try {
      const r = await runCli(["--port", new URL(first.url).port]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is already in use");
      expect(r.stderr).toContain("--port");
    } finally {
      await first.stop();
    }
  });

  it("accepts a token printed by another process with a matching --signing-key", async () => {
    const server = await startCli(["--signing-key", "team-key", "--seed", "7"]);
    try {
      const api = overHttp(server.url);
      const good = (await runCli(["token", "--user", "space-developer", "--signing-key", "team-key"])).stdout.trim();
      const bad = (await runCli(["token", "--user", "space-developer"])).stdout.trim();
      expect((await api.call("/v3/packages", { token: good })).status).toBe(200);
      const r = await api.call("/v3/packages", { token: bad });
      expect(r.status).toBe(401);
      expect(r.json.errors[0].title).toBe("CF-InvalidAuthToken");
    } finally {
      await server.stop();
    }
  });
});

describe.concurrent("--world", () => {
  it("rejects a bad world file with the file, the place in it and what is wrong, exit 2", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "world-")), "bad.yaml");
    writeFileSync(file, "orgs:\n  - name: a\n    spaces: 3\n");
    const r = await runCli(["--world", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--world: ${file}: orgs[0].spaces: must be a list (got 3)`);
  });

  it("serves a world file, and token --world gives a read-only admin no write scope", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "world-")), "w.yaml");
    writeFileSync(
      file,
      "orgs:\n  - name: acme\n    spaces:\n      - name: dev\n        apps:\n          - name: shop\n            packages:\n              - state: AWAITING_UPLOAD\n" +
        "users:\n  - name: ro\n    global_role: admin_read_only\n  - name: alice\n    roles: [space_developer@acme/dev]\n",
    );
    const token = (await runCli(["token", "--user", "ro", "--world", file])).stdout.trim();
    const scopes = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).scope as string[];
    expect(scopes).toContain("cloud_controller.admin_read_only");
    expect(scopes).not.toContain("cloud_controller.write");
    const server = await startCli(["--world", file]);
    try {
      expect(server.output()).toMatch(/alice\s+space_developer@dev/);
      const api = overHttp(server.url);
      const alice = (await runCli(["token", "--user", "alice", "--world", file])).stdout.trim();
      const apps = await api.call("/v3/apps?names=shop", { token: alice });
      expect(apps.json.resources.map((a: { name: string }) => a.name)).toEqual(["shop"]);
    } finally {
      await server.stop();
    }
  });
});
