/** Scenarios: the catalog, the global scenario, per-package bindings and the Prefer header forms. */
import { h } from "preact";
import { useState } from "preact/hooks";
import { Badge, Scroll, shortGuid } from "../parts.js";
import { allPackages, type CatalogEntry, type Setting, type State, type Store } from "../store.js";

function settingText(s: Setting): string {
  const opts = [
    s.error !== undefined ? `error="${s.error}"` : "",
    s.latency !== undefined ? `latency=${s.latency}` : "",
  ];
  return [s.name, ...opts.filter(Boolean)].join("; ");
}

function ScenarioSelect(props: {
  id: string;
  label: string;
  value: string;
  catalog: CatalogEntry[];
  onChange: (v: string) => void;
}) {
  return h(
    "select",
    {
      id: props.id,
      "aria-label": props.label,
      value: props.value,
      onChange: (e: Event) => props.onChange((e.target as HTMLSelectElement).value),
    },
    props.catalog.map((s) => h("option", { value: s.name }, `${s.name}${s.status ? ` (${s.status})` : ""}`)),
  );
}

function GlobalScenario({ store, state }: { store: Store; state: State }) {
  const current = state.scenarios?.scenario;
  const [name, setName] = useState(current?.name ?? "cloud-controller");
  const [option, setOption] = useState("");
  const apply = async () => {
    const body: Record<string, unknown> = { name };
    if (option && name === "processing-fails") body.error = option;
    if (option && name === "slow") body.latency = Number(option);
    await store.attempt("Could not switch the scenario", async () => {
      await store.api.send("PUT", "/scenario", body);
      return `The global scenario is now ${name}: the next upload answers accordingly.`;
    });
  };
  return h(
    "section",
    { "aria-labelledby": "global-h" },
    h("h2", { id: "global-h" }, "Global scenario"),
    h("p", null, "Now: ", h("strong", { "data-testid": "global-scenario" }, current ? settingText(current) : "…")),
    h(
      "form",
      { class: "inline", onSubmit: (e: Event) => (e.preventDefault(), void apply()) },
      h("label", { for: "global-select" }, "Switch to "),
      h(ScenarioSelect, {
        id: "global-select",
        label: "Global scenario",
        value: name,
        catalog: state.catalog,
        onChange: setName,
      }),
      (name === "processing-fails" || name === "slow") &&
        h("input", {
          "aria-label": name === "slow" ? "Latency in milliseconds" : "data.error text",
          placeholder: name === "slow" ? "latency ms" : "data.error text",
          value: option,
          onInput: (e: Event) => setOption((e.target as HTMLInputElement).value),
        }),
      h("button", { type: "submit" }, "Apply"),
    ),
  );
}

function Bindings({ store, state }: { store: Store; state: State }) {
  const [choice, setChoice] = useState<Record<string, string>>({});
  const bound = state.scenarios?.packages ?? {};
  const rows = allPackages(state.world).filter(({ pkg }) => pkg.type === "bits");
  const bind = async (guid: string) => {
    const name = choice[guid] ?? "processing-fails";
    await store.attempt("Could not bind the scenario", async () => {
      await store.api.send("PUT", `/packages/${guid}/scenario`, { name });
      return `Package ${shortGuid(guid)} now answers uploads as ${name}; other packages are unchanged.`;
    });
  };
  const unbind = async (guid: string) => {
    await store.attempt("Could not remove the binding", async () => {
      await store.api.send("DELETE", `/packages/${guid}/scenario`);
      return `Package ${shortGuid(guid)} follows the global scenario again.`;
    });
  };
  return h(
    "section",
    { "aria-labelledby": "bindings-h" },
    h("h2", { id: "bindings-h" }, "Per-package bindings"),
    h("p", { class: "muted" }, "A binding wins over the global scenario, for that package only."),
    h(
      Scroll,
      { label: "Package bindings" },
      h(
        "table",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["package", "app", "state", "bound", "scenario", ""].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map(({ pkg, app }) =>
            h(
              "tr",
              { key: pkg.guid, "data-package": pkg.guid },
              h("td", null, h("code", { title: pkg.guid }, shortGuid(pkg.guid))),
              h("td", null, app.name),
              h("td", null, h(Badge, { state: pkg.state })),
              h("td", null, bound[pkg.guid] ? settingText(bound[pkg.guid]!) : "—"),
              h(
                "td",
                null,
                h(ScenarioSelect, {
                  id: `bind-${pkg.guid}`,
                  label: `Scenario for package ${pkg.guid}`,
                  value: choice[pkg.guid] ?? "processing-fails",
                  catalog: state.catalog,
                  onChange: (v) => setChoice({ ...choice, [pkg.guid]: v }),
                }),
              ),
              h(
                "td",
                { class: "nowrap" },
                h("button", { type: "button", class: "small", onClick: () => bind(pkg.guid) }, "Bind"),
                " ",
                bound[pkg.guid] &&
                  h("button", { type: "button", class: "small", onClick: () => unbind(pkg.guid) }, "Remove"),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

export function ScenariosView({ store, state }: { store: Store; state: State }) {
  return h(
    "div",
    null,
    h(GlobalScenario, { store, state }),
    h(Bindings, { store, state }),
    h(
      "section",
      { "aria-labelledby": "prefer-h" },
      h("h2", { id: "prefer-h" }, "Per request: the Prefer header"),
      h("p", null, "Highest precedence: one upload request picks its own scenario."),
      h(
        "pre",
        null,
        [
          "Prefer: respond-async                     # the 202 flow",
          "Prefer: code=429                          # the scenario for that status (Prism-compatible)",
          "Prefer: scenario=slow; latency=300",
          'Prefer: scenario=processing-fails; error="The app upload is invalid: Invalid zip archive."',
        ].join("\n"),
      ),
    ),
    h(
      "section",
      { "aria-labelledby": "catalog-h" },
      h("h2", { id: "catalog-h" }, "Catalog"),
      h(
        Scroll,
        { label: "Scenario catalog" },
        h(
          "table",
          null,
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["scenario", "status", "what happens"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h(
            "tbody",
            null,
            state.catalog.map((s) =>
              h(
                "tr",
                { key: s.name },
                h("td", null, h("code", null, s.name)),
                h("td", null, s.status ?? "—"),
                h("td", { class: "wrap" }, s.description),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
