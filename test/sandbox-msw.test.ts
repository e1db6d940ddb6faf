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
