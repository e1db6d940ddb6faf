/**
 * Sandboxes through the msw handlers: the prefix, the header and a sandbox token reach the same
 * sandboxes as over HTTP, with links under the prefix and answers checked against spec/openapi.yaml.
 */
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimulator, mintUserToken } from "../src/index.js";
import { createHandlers } from "../src/msw/index.js";
import { theContract, tokenFor } from "./support/client.js";
import { callMounted } from "./support/mounted.js";

const ORIGIN = "https://api.sandboxes.example";
const sim = createSimulator({ processingDelay: 0, logger: () => {} });
const server = setupServer(...createHandlers(sim, { origin: ORIGIN }));

beforeAll(async () => {
  await theContract();
  await sim.ready;
  server.listen({ onUnhandledRequest: "error" });
}, 60_000);
afterAll(async () => {
  server.close();
  await sim.close();
});

it("reaches a sandbox by prefix, header and token through msw, each seeing that sandbox's scenario", async () => {
  const created = await callMounted(ORIGIN, "/__mock/sandboxes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: "m1", scenario: "rate-limited" }),
  });
  expect(created.status).toBe(201);
  expect(created.json.base_url).toBe(`${ORIGIN}/sandboxes/m1`);
  const token = await tokenFor("space-developer");
  const v3 = await callMounted(`${ORIGIN}/sandboxes/m1`, "/v3", { token });
  expect(v3.json.links.self.href).toBe(`${ORIGIN}/sandboxes/m1/v3`);
  const byHeader = await callMounted(ORIGIN, "/__mock/scenario", { headers: { "x-mock-sandbox": "m1" } });
  expect(byHeader.json.scenario.name).toBe("rate-limited");
  const claimed = await mintUserToken("space-developer", { sandbox: "m1" });
  const byToken = await callMounted(ORIGIN, "/__mock/scenario", { token: claimed });
  expect(byToken.json.scenario.name).toBe("rate-limited");
  const byDefault = await callMounted(ORIGIN, "/__mock/scenario");
  expect(byDefault.json.scenario.name).toBe("cloud-controller");
  const missing = await callMounted(`${ORIGIN}/sandboxes/nope`, "/v3/apps", { token, unchecked: true });
  expect(missing.status).toBe(404);
  expect(missing.json.errors[0].detail).toContain("there is no sandbox 'nope'");
});

it("UAA under a sandbox's prefix mints tokens that carry the sandbox, for users and clients, and keeps it on refresh", async () => {
  await callMounted(ORIGIN, "/__mock/sandboxes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: "uaa-box" }),
  });
  const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
  // Through the checked client: every token answer is validated against spec/openapi.yaml.
  const grant = async (base: string, form: Record<string, string>, basic: string) => {
    const answer = await callMounted(base, "/oauth/token", {
      method: "POST",
      headers: { authorization: `Basic ${btoa(basic)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    expect(answer.status).toBe(200);
    return answer.json as { access_token: string; refresh_token?: string };
  };
  const password = { grant_type: "password", username: "space-developer", password: "password" };
  const inBox = await grant(`${ORIGIN}/sandboxes/uaa-box`, password, "cf:");
  expect(claims(inBox.access_token).mock_sandbox).toBe("uaa-box");
  const refreshed = await grant(
    `${ORIGIN}/sandboxes/uaa-box`,
    { grant_type: "refresh_token", refresh_token: inBox.refresh_token! },
    "cf:",
  );
  expect(claims(refreshed.access_token).mock_sandbox).toBe("uaa-box");
  const client = await grant(
    `${ORIGIN}/sandboxes/uaa-box`,
    { grant_type: "client_credentials" },
    "admin-client:secret",
  );
  expect(claims(client.access_token).mock_sandbox).toBe("uaa-box");
  // The default sandbox's UAA mints tokens without a claim, as before sandboxes existed.
  const plain = await grant(ORIGIN, password, "cf:");
  expect(claims(plain.access_token)).not.toHaveProperty("mock_sandbox");
  // The claim alone routes the plain URL into the sandbox.
  await callMounted(ORIGIN, "/v3/apps", { token: inBox.access_token });
  const box = sim.sandboxes.get("uaa-box")!.simulator;
  expect(box.journal.entries().some((e) => e.path === "/v3/apps")).toBe(true);
});
