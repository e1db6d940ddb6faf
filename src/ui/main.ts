/**
 * The dashboard at `/__mock/ui/`: World, Requests, Scenarios, Tokens, Upload and Sandboxes, kept
 * live by the event stream. Bundled with Preact by `scripts/build.mjs` into `dist/ui/`; it talks
 * only to the admin API under `/__mock/` (and, for the Upload view's own upload, to the package's
 * upload URL), of the default sandbox or of the sandbox the page is switched to
 * (`/sandboxes/ID/__mock/…`, remembered in the address as `#view&sandbox=ID`).
 */
import { h, render } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { Api } from "./api.js";
import { readHash, writeHash } from "./hash.js";
import { Store, useStore, type State } from "./store.js";
import { RequestsView } from "./views/requests.js";
import { SandboxesView } from "./views/sandboxes.js";
import { ScenariosView } from "./views/scenarios.js";
import { TokensView } from "./views/tokens.js";
import { UploadView } from "./views/upload.js";
import { WorldViewPanel } from "./views/world.js";

const TABS = [
  ["world", "World"],
  ["requests", "Requests"],
  ["scenarios", "Scenarios"],
  ["tokens", "Tokens"],
  ["upload", "Upload"],
  ["sandboxes", "Sandboxes"],
] as const;
type Tab = (typeof TABS)[number][0];

function tabFromHash(): Tab {
  const name = readHash(location.hash).tab;
  return (TABS.find(([id]) => id === name)?.[0] ?? "world") as Tab;
}

/** The admin token from `#token=…` (the start banner prints such a link), kept for the session. */
function takeTokenFromHash(api: Api): void {
  const { token, sandbox } = readHash(location.hash);
  if (token === null) return;
  api.setAdminToken(token);
  history.replaceState(null, "", `${location.pathname}${writeHash(tabFromHash(), sandbox)}`);
}

function Tabs({ tab, setTab }: { tab: Tab; setTab: (t: Tab) => void }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  // Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern); Tab goes into the panel.
  const onKey = (e: KeyboardEvent) => {
    const at = TABS.findIndex(([id]) => id === tab);
    const to =
      e.key === "ArrowRight"
        ? at + 1
        : e.key === "ArrowLeft"
          ? at - 1
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? TABS.length - 1
              : null;
    if (to === null) return;
    e.preventDefault();
    const next = TABS[(to + TABS.length) % TABS.length]![0];
    setTab(next);
    refs.current[next]?.focus();
  };
  return h(
    "nav",
    { role: "tablist", "aria-label": "Views", onKeyDown: onKey },
    TABS.map(([id, label]) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${id}`,
          "aria-selected": tab === id,
          "aria-controls": "panel",
          tabIndex: tab === id ? 0 : -1,
          ref: (el: HTMLButtonElement | null) => (refs.current[id] = el),
          onClick: () => setTab(id),
        },
        label,
      ),
    ),
  );
}

function AdminTokenForm({ store }: { store: Store }) {
  const [value, setValue] = useState("");
  return h(
    "form",
    {
      class: "inline",
      onSubmit: (e: Event) => {
        e.preventDefault();
        store.api.setAdminToken(value.trim() || null);
        store.say("Admin token set for this browser session.");
        void store.load();
      },
    },
    h("label", { for: "admin-token" }, "Admin token "),
    h("input", {
      id: "admin-token",
      type: "password",
      value,
      onInput: (e: Event) => setValue((e.target as HTMLInputElement).value),
    }),
    h("button", { type: "submit" }, "Use it"),
  );
}

function Panel({ tab, store, state }: { tab: Tab; store: Store; state: State }) {
  switch (tab) {
    case "world":
      return h(WorldViewPanel, { store, world: state.world });
    case "requests":
      return h(RequestsView, { store, rows: state.rows, dropped: state.dropped });
    case "scenarios":
      return h(ScenariosView, { store, state });
    case "tokens":
      return h(TokensView, { store, state });
    case "upload":
      return h(UploadView, { store, state });
    case "sandboxes":
      return h(SandboxesView, { store, state });
  }
}

/** Which sandbox the page looks at, always in view (every other view shows that sandbox only). */
function SandboxNow({ sandbox }: { sandbox: string | null }) {
  return h(
    "span",
    { class: `sandbox-now${sandbox === null ? "" : " on"}`, "data-testid": "sandbox-now" },
    "Sandbox: ",
    h("strong", null, sandbox ?? "default"),
  );
}

/** The sandbox the page looked at is no more: say so, and offer the way back. */
function Gone({ store, id }: { store: Store; id: string }) {
  return h(
    "div",
    { class: "problem", role: "alert", "data-testid": "sandbox-gone" },
    h(
      "p",
      null,
      `Sandbox '${id}' no longer exists: it was deleted, or expired after being idle. `,
      "The views below show its last state.",
    ),
    h("button", { type: "button", onClick: () => store.switchTo(null) }, "Back to the default sandbox"),
  );
}

function App({ store }: { store: Store }) {
  const state = useStore(store);
  const [tab, setTabState] = useState<Tab>(tabFromHash());
  const setTab = (t: Tab) => {
    setTabState(t);
    history.replaceState(null, "", writeHash(t, store.api.sandbox));
  };
  // The address follows the sandbox the page looks at, so that a reload keeps it.
  useEffect(() => {
    history.replaceState(null, "", writeHash(tabFromHash(), state.sandbox));
    document.title = `mock-packages dashboard${state.sandbox === null ? "" : ` · sandbox ${state.sandbox}`}`;
  }, [state.sandbox]);
  useEffect(() => {
    const onHash = () => {
      setTabState(tabFromHash());
      const { sandbox } = readHash(location.hash);
      if (sandbox !== store.api.sandbox) store.switchTo(sandbox);
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  // Marked when the World view's DOM holds the data (a layout effect runs right after the commit;
  // a plain effect waits for an animation frame, which headless Chromium can delay by 100 ms).
  useLayoutEffect(() => {
    if (state.world && performance.getEntriesByName("dashboard-ready").length === 0)
      performance.mark("dashboard-ready");
  }, [state.world !== null]);
  const which = state.sandbox === null ? "the simulator (default sandbox)" : `sandbox '${state.sandbox}'`;
  const reset = async () => {
    if (!confirm(`Reset ${which} to its starting world? Its uploaded bits and journal go.`)) return;
    await store.api.send("POST", "/reset").then(
      () => store.say(`Reset ${which}: its world is back to its start.`),
      (e: Error) => store.say(`Reset failed: ${e.message}`),
    );
  };
  return h(
    "div",
    { class: "app-shell" },
    h(
      "header",
      null,
      h("h1", null, "mock-packages"),
      h(
        "span",
        { class: `conn ${state.connected ? "on" : "off"}`, role: "status" },
        state.connected ? "live" : state.gone ? "gone" : "reconnecting…",
      ),
      h(SandboxNow, { sandbox: state.sandbox }),
      h(
        "button",
        { type: "button", class: "small", onClick: reset },
        state.sandbox === null ? "Reset simulator" : "Reset sandbox",
      ),
    ),
    h(Tabs, { tab, setTab }),
    h("p", { class: "message", role: "status", "aria-live": "polite" }, state.message),
    state.gone && h(Gone, { store, id: state.gone }),
    state.problem &&
      h("div", { class: "problem", role: "alert" }, h("p", null, state.problem), h(AdminTokenForm, { store })),
    h(
      "main",
      { id: "panel", role: "tabpanel", "aria-labelledby": `tab-${tab}`, tabIndex: 0 },
      h(Panel, { tab, store, state }),
    ),
  );
}

const api = Api.fromLocation(location);
takeTokenFromHash(api);
api.sandbox = readHash(location.hash).sandbox;
const store = new Store(api);
render(h(App, { store }), document.getElementById("app")!);
performance.mark("dashboard-shell");
void store.load();
store.connect();
// The page's state, for tests and for curious developers (read it, do not write it).
(window as unknown as { __dashboard: Store }).__dashboard = store;
