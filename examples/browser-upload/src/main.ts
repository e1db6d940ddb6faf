/**
 * A page under development: registers the msw worker with the mock-packages
 * handlers and uploads a zip with fetch and FormData, as a frontend would.
 * The result lands on `window.__result` (read by test/upload-page.test.ts) and on the page.
 */
import { setupWorker } from "msw/browser";
import { createSimulator, mintUserToken } from "mock-packages";
import { createHandlers } from "mock-packages/msw";
import { buildAppZip } from "mock-packages/fixtures";

declare global {
  interface Window {
    __result?: unknown;
  }
}

async function main() {
  const origin = location.origin;
  const sim = createSimulator({ processingDelay: 0, origin });
  await sim.ready;
  const worker = setupWorker(...createHandlers(sim, { origin }));
  await worker.start({ serviceWorker: { url: "/mockServiceWorker.js" }, onUnhandledRequest: "bypass", quiet: true });
  const token = await mintUserToken("space-developer");
  const auth = { authorization: `bearer ${token}` };
  const apps = await (await fetch("/v3/apps?names=web-app", { headers: auth })).json();
  const list = await (
    await fetch(`/v3/packages?app_guids=${apps.resources[0].guid}&states=AWAITING_UPLOAD`, { headers: auth })
  ).json();
  const guid = list.resources[0].guid;
  const zip = await buildAppZip({ "index.html": "<h1>hello from the browser</h1>", "app.js": "console.log('hi')" });
  const form = new FormData();
  form.set("resources", "[]");
  form.set("bits", new Blob([zip], { type: "application/octet-stream" }), "package.zip");
  const upload = await fetch(`/v3/packages/${guid}/upload`, { method: "POST", body: form, headers: auth });
  const uploadBody = await upload.json();
  await sim.idle();
  const pkg = await (await fetch(`/v3/packages/${guid}`, { headers: auth })).json();
  const download = new Uint8Array(
    await (await fetch(`/v3/packages/${guid}/download`, { headers: auth })).arrayBuffer(),
  );
  const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", download))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const again = await fetch(`/v3/packages/${guid}/upload`, { method: "POST", body: form, headers: auth });
  const journal = sim.journal.uploads().map((e) => ({
    status: e.status,
    fields: e.multipart?.parts.map((p) => p.name),
    entries: e.multipart?.bits?.entries,
  }));
  window.__result = {
    uploadStatus: upload.status,
    uploadState: uploadBody.state,
    selfLink: uploadBody.links.self.href,
    state: pkg.state,
    checksum: pkg.data.checksum.value,
    downloadSha256: digest,
    secondUpload: { status: again.status, body: await again.json() },
    journal,
  };
  const out = document.getElementById("result");
  if (out) out.textContent = JSON.stringify(window.__result, null, 2);
  else throw new Error("no #result in " + document.documentElement.outerHTML.slice(0, 300));
}

main().catch((error: Error) => {
  window.__result = { error: `${error.message}\n${error.stack}` };
});
