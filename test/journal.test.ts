/**
 * The request journal: what it records, its redaction, its contract verdicts,
 * its queries in process and over HTTP, and the assertion helpers built on it.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAppZip, buildMultipart } from "../fixtures/index.js";
import { createContractChecker } from "../src/contract/index.js";
import type { RequestChecker } from "../src/core/journal/journal.js";
import { expectNoContractViolations, expectNoUpload, expectUpload } from "../src/testing/index.js";
import { postUpload, upload } from "./support/api.js";
import { setup, tokenFor, type Client } from "./support/client.js";
import { packageGuid } from "./support/world.js";
import type { Simulator } from "../src/index.js";

let checker: RequestChecker;
beforeAll(async () => {
  checker = await createContractChecker();
});

let sim: Simulator;
let api: Client;
let close: () => Promise<void>;
afterEach(() => close());

/** Uploads a zip of these files (with directory entries, as cf push zips) and these resources. */
async function cfUpload(guid: string, files: Record<string, string>, resources: object[] = []) {
  return upload(api, guid, { resources, bits: await buildAppZip(files, { directories: true }) });
}

describe("recording", () => {
  it("records an upload with its parts, the zip's entries, the parsed resources and the redacted token", async () => {
    ({ sim, api, close } = await setup({ contract: checker }));
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    const resources = [{ path: "big.bin", mode: "644", checksum: { value: "a".repeat(40) }, size_in_bytes: 70000 }];
    const r = await cfUpload(guid, { "src/index.js": "x" }, resources);
    expect(r.status).toBe(200);
    const [entry] = sim.journal.uploads();
    expect(entry).toMatchObject({
      id: 1,
      method: "POST",
      path: `/v3/packages/${guid}/upload`,
      status: 200,
      scenario: "cloud-controller",
    });
    expect(entry!.headers.authorization).toBe("bearer [redacted]");
    expect(JSON.stringify(entry)).not.toContain(await tokenFor("space-developer"));
    expect(entry!.multipart!.parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ["resources", null, null],
      ["bits", "package.zip", "application/octet-stream"],
    ]);
    expect(entry!.multipart!.bits!.entries).toEqual(["src/", "src/index.js"]);
    expect(entry!.multipart!.bits!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry!.multipart!.resources).toEqual({ entries: resources });
    expect(entry!.contract).toEqual({ operationId: "uploadPackageBits", valid: true, violations: [] });
  });

  it("records rejected requests, non-upload requests, and not-a-zip bits", async () => {
    ({ sim, api, close } = await setup());
    const guid = packageGuid(sim, "web-app", "READY");
    const body = buildMultipart([
      { name: "bits", filename: "x.zip", content: "not a zip" },
      { name: "resources", content: "[oops" },
    ]);
    await postUpload(api, guid, body);
    await api.call(`/v3/packages/${guid}`, { user: "space-developer" });
    const entries = sim.journal.entries();
    expect(entries.map((e) => [e.method, e.status])).toEqual([
      ["POST", 422],
      ["GET", 200],
    ]);
    expect(entries[0]!.multipart!.bits!.entries).toBeNull();
    expect(entries[0]!.multipart!.resources).toEqual({ invalid: "[oops" });
    expect(entries[1]!.multipart).toBeNull();
    expect(entries[1]!.contract).toBeNull();
  });

  it("answers queries by path, status and method, and clears on reset", async () => {
    ({ sim, api, close } = await setup());
    await api.call("/v3/packages", { user: "space-developer" });
    await api.call("/v3/packages", {});
    await api.call("/v3/apps", { user: "space-developer" });
    expect(sim.journal.find({ path: "/v3/packages" }).map((e) => e.status)).toEqual([200, 401]);
    expect(sim.journal.find({ status: 401 })).toHaveLength(1);
    expect(sim.journal.find({ path: /^\/v3\/apps/ })).toHaveLength(1);
    expect(sim.journal.last()!.path).toBe("/v3/apps");
    await sim.reset();
    expect(sim.journal.entries()).toEqual([]);
  });

  it("keeps the admin API and preflights out of the journal", async () => {
    ({ sim, api, close } = await setup());
    await api.call("/__mock/scenario", {});
    await api.call("/v3/packages", {
      method: "OPTIONS",
      headers: { origin: "http://app.local", "access-control-request-method": "GET" },
      unchecked: true,
    });
    expect(sim.journal.entries()).toEqual([]);
  });
});

describe("contract verdicts", () => {
  it("lists what a request breaks: a missing token, a resources entry that fits neither shape", async () => {
    ({ sim, api, close } = await setup({ contract: checker }));
    await api.call("/v3/packages?per_page=many", {});
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    await cfUpload(guid, { "a.txt": "a" }, [{ path: "a", checksum: { value: "x" }, size_in_bytes: 1, mode: 644 }]);
    const [list, upload] = sim.journal.entries();
    expect(list!.contract!.valid).toBe(false);
    // per_page is declared a string, as the controller reads it: its own 400 judges "many", not the document.
    expect(list!.contract!.violations).toEqual([
      { location: "header.authorization", message: "the operation needs 'Authorization: bearer <token>'" },
    ]);
    expect(upload!.contract!.violations).toContainEqual({
      location: "body.resources[0].mode",
      message: "must be string,null",
    });
    expect(() => expectNoContractViolations(sim)).toThrow(
      /2 request\(s\) broke the contract:\n  #1 GET \/v3\/packages\?per_page=many/,
    );
  });

  it("flags a JSON body sent to the upload endpoint", async () => {
    ({ sim, api, close } = await setup({ contract: checker }));
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    await postUpload(api, guid, { body: '{"resources":[]}', contentType: "application/json" });
    const verdict = sim.journal.last()!.contract!;
    expect(verdict.valid).toBe(false);
    expect(verdict.violations.map((v) => v.message).join(" ")).toContain("multipart/form-data");
  });

  it("says how to get verdicts when the simulator has no checker", async () => {
    ({ sim, api, close } = await setup());
    await api.call("/v3/packages", { user: "space-developer" });
    expect(() => expectNoContractViolations(sim)).toThrow("createContractChecker");
  });
});

describe("assertion helpers", () => {
  it("expectUpload finds the upload by package, zip paths, resources and field order", async () => {
    ({ sim, api, close } = await setup());
    const guid = packageGuid(sim, "web-app", "AWAITING_UPLOAD");
    expectNoUpload(sim);
    await cfUpload(guid, { "index.js": "1", "lib/a.js": "2" }, [
      { path: "big.bin", mode: "644", checksum: { value: "b".repeat(40) }, size_in_bytes: 70000 },
    ]);
    const entry = expectUpload(sim, {
      packageGuid: guid,
      status: 200,
      zipPaths: ["index.js", "lib/a.js"],
      resources: ["big.bin"],
      fieldOrder: ["resources", "bits"],
    });
    expect(entry.id).toBe(1);
    expect(() => expectUpload(sim, { zipPaths: ["missing.js"] })).toThrow(
      /expected an upload .* but none matched\. Uploads received:\n  #1 POST .* the zip lacks missing\.js/s,
    );
    expect(() => expectNoUpload(sim, guid)).toThrow("expected no upload");
  });
});

describe("over HTTP", () => {
  it("serves the journal under /__mock/journal with filters, and clears it with DELETE", async () => {
    ({ sim, api, close } = await setup({}, "http"));
    await api.call("/v3/packages", { user: "space-developer" });
    await api.call("/v3/packages", {});
    const all = await api.call("/__mock/journal", {});
    expect(all.status).toBe(200);
    expect(all.json.entries.map((e: { status: number }) => e.status)).toEqual([200, 401]);
    const failed = await api.call("/__mock/journal?status=401", {});
    expect(failed.json.entries).toHaveLength(1);
    expect((await api.call("/__mock/journal", { method: "DELETE" })).status).toBe(204);
    expect((await api.call("/__mock/journal", {})).json.entries).toEqual([]);
  });
});

describe("redaction (issue 10, finding 8)", () => {
  const SECRET = "s3cr3t-4c1d";
  /** Every form a credential arrives in, as a client sends it, and what the journal keeps of it. */
  const HEADERS: Array<[string, string, string]> = [
    ["authorization", `eyJhbGciOiJIUzI1NiJ9.${SECRET}.c2ln`, "[redacted]"], // a raw JWT, no scheme
    ["proxy-authorization", `bearer${SECRET}`, "bearer[redacted]"], // no space after the scheme
    ["cookie", `session=${SECRET}; theme=${SECRET}`, "session=[redacted]; theme=[redacted]"],
    ["set-cookie", `sid=${SECRET}`, "sid=[redacted]"],
    ["x-auth-token", SECRET, "[redacted]"],
    ["x-api-key", SECRET, "[redacted]"],
    ["x-refresh-token", `Bearer ${SECRET}`, "Bearer [redacted]"],
    ["x-client-secret", SECRET, "[redacted]"],
    ["x-registry-password", SECRET, "[redacted]"],
    ["x-session-id", SECRET, "[redacted]"],
    ["x-goog-api-key", SECRET, "[redacted]"],
  ];
  const QUERY =
    `?access_token=${SECRET}&token=${SECRET}&refresh_token=${SECRET}&password=${SECRET}` +
    `&client_secret=${SECRET}&code=${SECRET}&per_page=5`;
  const REDACTED_QUERY =
    "?access_token=[redacted]&token=[redacted]&refresh_token=[redacted]&password=[redacted]" +
    "&client_secret=[redacted]&code=[redacted]&per_page=5";

  async function sendEveryForm() {
    const headers = Object.fromEntries(HEADERS.map(([name, value]) => [name, value]));
    // The raw JWT is not a valid token here: 401 CF-InvalidAuthToken, recorded like any answer.
    expect((await api.call(`/v3/packages${QUERY}`, { headers })).status).toBe(401);
    await api.call(`/v3/packages;jsessionid=${SECRET}`, { headers, unchecked: true });
  }

  function expectRedacted(entries: Array<{ path: string; query: string; headers: Record<string, string> }>) {
    expect(JSON.stringify(entries)).not.toContain(SECRET);
    const [list, other] = entries;
    for (const [name, , kept] of HEADERS) expect(list!.headers[name], name).toBe(kept);
    expect(list!.query).toBe(REDACTED_QUERY);
    expect(other!.path).toBe("/v3/packages;jsessionid=[redacted]");
  }

  it("keeps no credential in sim.journal, whatever header or parameter carried it", async () => {
    ({ sim, api, close } = await setup());
    await sendEveryForm();
    expectRedacted(sim.journal.entries());
  });

  it("keeps none in GET /__mock/journal over HTTP either", async () => {
    ({ sim, api, close } = await setup({}, "http"));
    await sendEveryForm();
    const r = await api.call("/__mock/journal", {});
    expect(r.status).toBe(200);
    expectRedacted(r.json.entries);
  });

  it("keeps the scheme word where there is one, and a bare scheme as it is", async () => {
    ({ sim, api, close } = await setup());
    for (const value of ["Basic dXNlcjpwYXNz", "bearer", "  "]) {
      await api.call("/v3/packages", { headers: { authorization: value }, unchecked: true });
    }
    expect(sim.journal.entries().map((e) => e.headers.authorization ?? "")).toEqual(["Basic [redacted]", "bearer", ""]);
  });
});

describe("assertions that cannot pass by accident", () => {
  it("expectNoContractViolations fails without a contract checker, and on a journal with no checked request", async () => {
    ({ sim, api, close } = await setup());
    expect(() => expectNoContractViolations(sim)).toThrow(/the simulator has no contract checker/);
    await close();
    ({ sim, api, close } = await setup({ contract: checker }));
    expect(() => expectNoContractViolations(sim)).toThrow(/no request in the journal was checked/);
    await api.call("/v3/packages", { user: "space-developer" });
    expect(() => expectNoContractViolations(sim)).not.toThrow();
  });

  it("GET /__mock/journal?violations=true without verdicts is a 400 that says so, not an empty list", async () => {
    ({ sim, api, close } = await setup());
    const r = await api.call("/__mock/journal?violations=true", {});
    expect(r.status).toBe(400);
    expect(r.json.errors[0].detail).toMatch(/violations=true needs contract verdicts.*--contract-verdicts/);
  });
});
