/**
 * Sandboxes: the server's isolated simulators (`GET /__mock/sandboxes`), with a form to create one
 * and, on each row, Show (switch the whole page to it), Reset and Delete. The list and these
 * actions use the server's own admin API, whatever sandbox the page looks at.
 */
import { h } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Empty, Scroll, dateTime } from "../parts.js";
import type { State, Store } from "../store.js";

interface SandboxView {
  id: string;
  base_url: string;
  seed: number;
  scenario: string;
  created_at: string;
  last_used_at: string;
  expires_at: string | null;
}
interface SandboxList {
  sandboxes: SandboxView[];
  max_sandboxes: number;
  idle_timeout: number;
}

const path = (id: string) => `/sandboxes/${encodeURIComponent(id)}`;

function CreateForm({ store, state, done }: { store: Store; state: State; done: () => void }) {
  const [id, setId] = useState("");
  const [seed, setSeed] = useState("");
  const [scenario, setScenario] = useState("");
  const create = async () => {
    const body: Record<string, unknown> = {};
    if (id.trim()) body.id = id.trim();
    if (seed.trim()) body.seed = Number(seed);
    if (scenario) body.scenario = scenario;
    await store.attempt("Could not create the sandbox", async () => {
      const made = (await store.api.serverSend<SandboxView>("POST", "/sandboxes", body))!;
      setId("");
      done();
      return `Created sandbox '${made.id}' (seed ${made.seed}, ${made.scenario}): Show switches the page to it.`;
    });
  };
  const input = (label: string, value: string, set: (v: string) => void, extra: Record<string, unknown>) =>
    h(
      "label",
      null,
      `${label} `,
      h("input", { value, onInput: (e: Event) => set((e.target as HTMLInputElement).value), ...extra }),
    );
  return h(
    "form",
    { class: "inline", "aria-label": "Create a sandbox", onSubmit: (e: Event) => (e.preventDefault(), void create()) },
    input("Id", id, setId, { name: "sandbox-id", placeholder: "random", size: 14, autocomplete: "off" }),
    input("Seed", seed, setSeed, { name: "sandbox-seed", placeholder: "server's", size: 8, inputMode: "numeric" }),
    h(
      "label",
      null,
      "Scenario ",
      h(
        "select",
        {
          name: "sandbox-scenario",
          value: scenario,
          onChange: (e: Event) => setScenario((e.target as HTMLSelectElement).value),
        },
        h("option", { value: "" }, "the server's"),
        state.catalog.map((s) => h("option", { value: s.name }, s.name)),
      ),
    ),
    h("button", { type: "submit" }, "Create sandbox"),
  );
}

function Row(props: { store: Store; shown: boolean; sandbox: SandboxView | null; refresh: () => void }) {
  const { store, shown, sandbox, refresh } = props;
  const id = sandbox?.id ?? null;
  const name = id ?? "default";
  const act = async (what: string, run: () => Promise<unknown>, said: string) => {
    await store.attempt(`Could not ${what} sandbox '${name}'`, async () => {
      await run();
      return said;
    });
    refresh();
  };
  const reset = () => {
    if (!confirm(`Reset sandbox '${name}' to its starting world? Its uploaded bits and journal go.`)) return;
    void act("reset", () => store.api.serverSend("POST", `${path(name)}/reset`), `Reset sandbox '${name}'.`);
  };
  const remove = () => {
    if (!confirm(`Delete sandbox '${name}'? Its world, journal and bits go.`)) return;
    void act(
      "delete",
      async () => {
        await store.api.serverSend("DELETE", path(name));
        if (shown) await store.checkGone();
      },
      `Deleted sandbox '${name}'.`,
    );
  };
  return h(
    "tr",
    { "data-sandbox": name, class: shown ? "selected" : "" },
    h("td", null, h("strong", null, name), shown ? [" ", h("span", { class: "pill" }, "shown")] : ""),
    h(
      "td",
      { class: "nowrap" },
      !shown && h("button", { type: "button", class: "small", onClick: () => store.switchTo(id) }, `Show ${name}`),
      sandbox && [
        " ",
        h("button", { type: "button", class: "small", onClick: reset }, "Reset"),
        " ",
        h("button", { type: "button", class: "small", onClick: remove }, "Delete"),
      ],
    ),
    h("td", null, sandbox ? String(sandbox.seed) : "—"),
    h("td", null, sandbox ? sandbox.scenario : "—"),
    h("td", null, sandbox ? dateTime(sandbox.last_used_at) : "—"),
    h("td", null, sandbox ? (sandbox.expires_at ? dateTime(sandbox.expires_at) : "never") : "never"),
  );
}

function Limits({ list }: { list: SandboxList }) {
  const idle = list.idle_timeout > 0 ? `one idle for ${list.idle_timeout} s is deleted` : "none expires";
  return h(
    "p",
    { class: "muted" },
    `${list.sandboxes.length} of at most ${list.max_sandboxes} sandboxes; ${idle}. `,
    "Showing one switches every view, the live stream, tokens and uploads to it.",
  );
}

function Reach({ sandbox }: { sandbox: SandboxView }) {
  return h(
    "p",
    { "data-testid": "sandbox-reach" },
    `Clients reach '${sandbox.id}' at `,
    h("code", null, sandbox.base_url),
    ", with the header ",
    h("code", null, `X-Mock-Sandbox: ${sandbox.id}`),
    ", or with any URL of this server and a token from the Tokens view (it carries the sandbox's claim).",
  );
}

export function SandboxesView({ store, state }: { store: Store; state: State }) {
  const [list, setList] = useState<SandboxList | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = () =>
    store.api.serverGet<SandboxList>("/sandboxes").then(
      (l) => (setList(l), setProblem(null)),
      (e: Error) => setProblem(`Could not list the sandboxes: ${e.message}`),
    );
  useEffect(() => void refresh(), [state.sandbox, state.gone]);
  if (problem) return h("p", { role: "alert" }, problem);
  if (!list) return h(Empty, null, "Loading the sandboxes…");
  const current = list.sandboxes.find((s) => s.id === state.sandbox);
  const rows = [null, ...list.sandboxes];
  return h(
    "div",
    null,
    h(Limits, { list }),
    h(
      Scroll,
      { label: "Sandboxes" },
      h(
        "table",
        { class: "sandboxes" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["sandbox", "actions", "seed", "scenario", "last used", "expires"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((sandbox) =>
            h(Row, {
              key: sandbox?.id ?? "default",
              store,
              sandbox,
              shown: (sandbox?.id ?? null) === state.sandbox,
              refresh: () => void refresh(),
            }),
          ),
        ),
      ),
    ),
    list.sandboxes.length === 0 &&
      h(
        Empty,
        null,
        h("p", null, "No sandboxes yet: only the server's own state (default). Create one below, or with curl:"),
        h(
          "pre",
          null,
          `curl -X POST ${location.origin}${store.api.root}/__mock/sandboxes -H 'content-type: application/json' -d '{"id":"alice"}'`,
        ),
      ),
    current && h(Reach, { sandbox: current }),
    h("h2", null, "New sandbox"),
    h(
      "p",
      { class: "muted" },
      "An isolated simulator: its own world (the fixture world of a seed), scenario, journal and bits.",
    ),
    h(CreateForm, { store, state, done: () => void refresh() }),
  );
}
