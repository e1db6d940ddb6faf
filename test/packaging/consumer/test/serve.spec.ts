/**
 * A consumer's test over HTTP, run by test/packaging.test.ts in a project outside the
 * repository against the installed tarball: `serve()` from `mock-packages/node` on a free
 * port, an upload as the cf CLI sends it, and the package reaching READY with the checksum of
 * exactly the bytes sent. (Named .spec.ts so that the repository's own run leaves it alone.)
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimulator, mintUserToken, type Simulator } from "mock-packages";
import { buildAppZip, buildCfUploadBody } from "mock-packages/fixtures";
import { createFileStore, serve, type RunningServer } from "mock-packages/node";

let sim: Simulator;
let running: RunningServer;
const store = createFileStore();

beforeAll(async () => {
  sim = createSimulator({ store, processingDelay: 0 });
  running = await serve({ simulator: sim, port: 0 });
});
afterAll(async () => {
  await running.close();
  store.dispose();
});

it("uploads over HTTP and the package becomes READY with the sha256 of the uploaded zip", async () => {
  const auth = { Authorization: `bearer ${await mintUserToken("space-developer")}` };
  const get = async (path: string) => {
    const res = await fetch(new URL(path, running.url), { headers: auth });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const apps = await get("/v3/apps?names=web-app");
  const waiting = await get(`/v3/packages?app_guids=${apps.resources[0].guid}&states=AWAITING_UPLOAD`);
  const pkg = waiting.resources[0];
  expect(pkg.links.upload.href).toBe(`${running.url}/v3/packages/${pkg.guid}/upload`);

  const zip = await buildAppZip({ "index.html": "<h1>hi</h1>", "app.js": "console.log('hi')" });
  const { body, contentType } = buildCfUploadBody({ bits: zip });
  const upload = await fetch(pkg.links.upload.href, {
    method: "POST",
    headers: { ...auth, "Content-Type": contentType },
    body,
  });
  expect(upload.status).toBe(200);
  expect((await upload.json()).state).toBe("PROCESSING_UPLOAD");

  await sim.idle();
  const done = await get(`/v3/packages/${pkg.guid}`);
  expect(done.state).toBe("READY");
  expect(done.data.checksum.value).toBe(createHash("sha256").update(zip).digest("hex"));
});
