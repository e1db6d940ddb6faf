/**
 * The dashboard at `/__mock/ui/`: World, Requests, Scenarios, Tokens and Upload, kept live by the
 * event stream. Bundled with Preact by `scripts/build.mjs` into `dist/ui/`; it talks only to the
 * admin API under `/__mock/` (and, for the Upload view's own upload, to the package's upload URL).
 */
import { h, render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Api } from "./api.js";
import { Store, useStore, type State } from "./store.js";
import { RequestsView } from "./views/requests.js";
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
] as const;
type Tab = (typeof TABS)[number][0];

function tabFromHash(): Tab {
  const name = location.hash.slice(1);
  return (TABS.find(([id]) => id === name)?.[0] ?? "world") as Tab;
}

/** The admin token from `#token=…` (the start banner prints such a link), kept for the session. */
function takeTokenFromHash(api: Api): void {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return;
  api.setAdminToken(decodeURIComponent(m[1]!));
  history.replaceState(null, "", `${location.pathname}#world`);
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
  }
}

function App({ store }: { store: Store }) {
  const state = useStore(store);
  const [tab, setTabState] = useState<Tab>(tabFromHash());
  const setTab = (t: Tab) => {
    setTabState(t);
    history.replaceState(null, "", `#${t}`);
  };
  useEffect(() => {
    const onHash = () => setTabState(tabFromHash());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    if (state.world) performance.mark("dashboard-ready");
  }, [state.world !== null]);
  const reset = async () => {
    if (!confirm("Reset the simulator to its starting world? Uploaded bits and the journal go.")) return;
    await store.api.send("POST", "/reset").then(
      () => store.say("Reset: the world is back to its start."),
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
        state.connected ? "live" : "reconnecting…",
      ),
      h("button", { type: "button", class: "small", onClick: reset }, "Reset simulator"),
    ),
    h(Tabs, { tab, setTab }),
    h("p", { class: "message", role: "status", "aria-live": "polite" }, state.message),
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
const store = new Store(api);
render(h(App, { store }), document.getElementById("app")!);
performance.mark("dashboard-shell");
void store.load();
// After a drop, events may have been missed: the page reads its state afresh on reconnecting.
let dropped = false;
api.follow({
  onEvent: (type, data) => store.apply(type, data),
  onConnection: (connected) => {
    store.set({ connected });
    if (connected && dropped) void store.load();
    if (!connected) dropped = true;
  },
});
// The page's state, for tests and for curious developers (read it, do not write it).
(window as unknown as { __dashboard: Store }).__dashboard = store;
