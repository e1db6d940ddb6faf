/** Requests: the journal as a table with filters; a row opens the request and its answer. */
import { h } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Empty, Scroll, origin, time } from "../parts.js";
import type { JournalRow, Store } from "../store.js";

const UPLOAD = /^\/v3\/packages\/[^/]+\/upload\/?$/;

interface Filters {
  path: string;
  status: string;
  uploads: boolean;
}

function matches(row: JournalRow, f: Filters): boolean {
  if (f.path && !row.path.includes(f.path)) return false;
  if (f.status && !String(row.status).startsWith(f.status)) return false;
  if (f.uploads && !(row.method === "POST" && UPLOAD.test(row.path))) return false;
  return true;
}

function verdict(valid: boolean | null): string {
  return valid === null ? "—" : valid ? "valid" : "violations";
}

async function downloadHar(store: Store): Promise<void> {
  try {
    const headers: Record<string, string> = store.api.adminToken
      ? { Authorization: `bearer ${store.api.adminToken}` }
      : {};
    const response = await fetch(store.api.admin("/journal.har"), { headers });
    if (!response.ok) throw new Error(`${response.status}`);
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "mock-packages.har";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    store.say("Downloaded the journal as mock-packages.har (HAR 1.2: open it in the browser's devtools).");
  } catch (error) {
    store.say(`The HAR download failed: ${(error as Error).message}`);
  }
}

function Filter({ filters, set }: { filters: Filters; set: (f: Filters) => void }) {
  return h(
    "form",
    { class: "filters", onSubmit: (e: Event) => e.preventDefault(), "aria-label": "Filter requests" },
    h(
      "label",
      null,
      "Path contains ",
      h("input", {
        type: "search",
        name: "path",
        value: filters.path,
        placeholder: "/v3/packages",
        onInput: (e: Event) => set({ ...filters, path: (e.target as HTMLInputElement).value }),
      }),
    ),
    h(
      "label",
      null,
      "Status ",
      h("input", {
        type: "text",
        name: "status",
        inputMode: "numeric",
        size: 4,
        value: filters.status,
        placeholder: "4",
        onInput: (e: Event) => set({ ...filters, status: (e.target as HTMLInputElement).value.trim() }),
      }),
    ),
    h(
      "label",
      null,
      h("input", {
        type: "checkbox",
        name: "uploads",
        checked: filters.uploads,
        onChange: (e: Event) => set({ ...filters, uploads: (e.target as HTMLInputElement).checked }),
      }),
      " Uploads only",
    ),
  );
}

function Detail({ store, id, close }: { store: Store; id: number; close: () => void }) {
  const [entry, setEntry] = useState<any>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setEntry(null);
    store.api.get(`/journal/${id}`).then(setEntry, (e: Error) => setProblem(e.message));
  }, [id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [close]);
  if (problem) return h("section", { class: "detail" }, h("p", null, problem));
  if (!entry) return h("section", { class: "detail" }, "Loading…");
  const mp = entry.multipart;
  const r = entry.response;
  return h(
    "section",
    { class: "detail", "aria-label": `Request ${id}`, id: "request-detail" },
    h(
      "div",
      { class: "detail-head" },
      h("h2", null, `#${entry.id} ${entry.method} ${entry.path}${entry.query}`),
      h("button", { type: "button", onClick: close, class: "small" }, "Close (Esc)"),
    ),
    h("h3", null, "Request headers (credentials redacted)"),
    h(
      "pre",
      null,
      Object.entries(entry.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n"),
    ),
    mp &&
      h(
        "div",
        { class: "multipart" },
        h("h3", null, "Multipart"),
        h("p", null, "Field order: ", h("code", null, mp.parts.map((p: any) => p.name).join(", "))),
        mp.bits &&
          h(
            "p",
            null,
            `bits: ${mp.bits.filename}, ${mp.bits.size} bytes, sha256 ${mp.bits.sha256.slice(0, 16)}…; zip entries: `,
            h("code", null, mp.bits.entries ? mp.bits.entries.join(", ") || "(none)" : "not a zip"),
          ),
        mp.resources && h("p", null, "resources: ", h("code", null, JSON.stringify(mp.resources).slice(0, 400))),
      ),
    entry.body !== null && h("div", null, h("h3", null, "Request body"), h("pre", null, entry.body)),
    entry.contract &&
      h(
        "p",
        null,
        `Contract: ${entry.contract.valid ? "valid" : "violations"} `,
        entry.contract.violations.map((v: any) => h("div", null, h("code", null, `${v.location}: ${v.message}`))),
      ),
    h(
      "h3",
      null,
      `Answer: ${entry.status === 0 ? "connection dropped" : entry.status}`,
      entry.scenario ? ` (scenario ${entry.scenario})` : "",
    ),
    r &&
      h(
        "pre",
        null,
        Object.entries(r.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\n"),
      ),
    r && r.body !== null && h("pre", { class: "body" }, pretty(r.body)),
    r?.streamed && h("p", { class: "muted" }, `Streamed body (${r.bodySize ?? "?"} bytes): not kept in the journal.`),
    r?.bodyOmitted &&
      h("p", { class: "muted" }, `${r.bodyOmitted} more characters not kept (the journal keeps 64 KiB).`),
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function RequestsView({ store, rows, dropped }: { store: Store; rows: JournalRow[]; dropped: number }) {
  const [filters, setFilters] = useState<Filters>({ path: "", status: "", uploads: false });
  const [open, setOpen] = useState<number | null>(null);
  const shown = rows.filter((row) => matches(row, filters));
  const actions = h(
    "div",
    { class: "actions" },
    h("button", { type: "button", onClick: () => downloadHar(store) }, "Download HAR"),
    h(
      "button",
      {
        type: "button",
        onClick: async () => {
          await store.api.send("DELETE", "/journal").then(
            () => store.set({ rows: [], dropped: 0, message: "Cleared the journal." }),
            (e: Error) => store.say(`Clearing the journal failed: ${e.message}`),
          );
        },
      },
      "Clear journal",
    ),
  );
  if (rows.length === 0) {
    return h(
      "div",
      null,
      actions,
      h(
        Empty,
        null,
        h("p", null, "No requests yet: try this curl (it lists the packages, as space-developer):"),
        h(
          "pre",
          null,
          `TOKEN=$(npx mock-packages token --user space-developer)\ncurl -H "Authorization: bearer $TOKEN" ${origin(store)}/v3/packages`,
        ),
        h("p", null, "Or send an upload from the Upload tab."),
      ),
    );
  }
  return h(
    "div",
    null,
    actions,
    h(Filter, { filters, set: setFilters }),
    h(
      "p",
      { class: "muted" },
      `${shown.length} of ${rows.length} requests shown${dropped ? `; ${dropped} dropped from the journal (its bounds)` : ""}.`,
    ),
    h(
      Scroll,
      { label: "Requests" },
      h(
        "table",
        { class: "requests" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["time", "method", "path", "status", "scenario", "ms", "contract", ""].map((c) =>
              h("th", { scope: "col" }, c),
            ),
          ),
        ),
        h(
          "tbody",
          null,
          shown.map((row) =>
            h(
              "tr",
              { key: row.id, "data-id": row.id, class: open === row.id ? "selected" : "" },
              h("td", null, time(row.time)),
              h("td", null, row.method),
              h("td", { class: "wrap" }, h("code", null, row.path + row.query)),
              h("td", null, h("span", { class: `status s${String(row.status)[0]}` }, row.status || "dropped")),
              h("td", null, row.scenario ?? ""),
              h("td", null, row.durationMs.toFixed(0)),
              h("td", null, verdict(row.valid)),
              h(
                "td",
                null,
                h("button", { type: "button", class: "small", onClick: () => setOpen(row.id) }, `Open #${row.id}`),
              ),
            ),
          ),
        ),
      ),
    ),
    open !== null && h(Detail, { store, id: open, close: () => setOpen(null) }),
  );
}
