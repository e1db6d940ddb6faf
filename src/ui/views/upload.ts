/** Upload: a package, a zip (or the sample app), a field order; sent from the page, then watched. */
import { h } from "preact";
import { useState } from "preact/hooks";
import { problemOf } from "../api.js";
import { Badge, shortGuid } from "../parts.js";
import { SAMPLE_FILES, zipFiles } from "../sample-zip.js";
import { allPackages, type AppView, type State, type Store } from "../store.js";
import { mint } from "./tokens.js";

type Order = "cf" | "bits-first";

async function send(store: Store, guid: string, user: string, zip: Blob, order: Order) {
  const { token } = await mint(store, user);
  const form = new FormData();
  // The cf CLI sends `resources` first, then `bits` as package.zip (application/octet-stream).
  const bits = new File([zip], "package.zip", { type: "application/octet-stream" });
  if (order === "cf") {
    form.append("resources", "[]");
    form.append("bits", bits);
  } else {
    form.append("bits", bits);
    form.append("resources", "[]");
  }
  const response = await fetch(store.api.cf(`/v3/packages/${encodeURIComponent(guid)}/upload`), {
    method: "POST",
    headers: { Authorization: `bearer ${token}` },
    body: form,
  });
  return { status: response.status, text: await response.text() };
}

/** `POST /v3/packages` for an app, as a client would create the package it then uploads to. */
async function createPackage(store: Store, appGuid: string, user: string) {
  const { token } = await mint(store, user);
  const response = await fetch(store.api.cf("/v3/packages"), {
    method: "POST",
    headers: { Authorization: `bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: appGuid } } } }),
  });
  const text = await response.text();
  const guid = response.status === 201 ? (JSON.parse(text) as { guid: string }).guid : null;
  return { status: response.status, text, guid };
}

/** Every app of the world with its space's name. */
function allApps(state: State): Array<{ app: AppView; space: string }> {
  return (state.world?.orgs ?? []).flatMap((org) =>
    org.spaces.flatMap((space) => space.apps.map((app) => ({ app, space: space.name }))),
  );
}

export function UploadView({ store, state }: { store: Store; state: State }) {
  const packages = allPackages(state.world).filter(({ pkg }) => pkg.type === "bits");
  const waiting = packages.filter(({ pkg }) => pkg.state === "AWAITING_UPLOAD");
  const [guid, setGuid] = useState("");
  const [user, setUser] = useState("space-developer");
  const [source, setSource] = useState<"sample" | "file">("sample");
  const [file, setFile] = useState<File | null>(null);
  const [order, setOrder] = useState<Order>("cf");
  const [answer, setAnswer] = useState<{ status: number; text: string } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const chosen = guid || waiting[0]?.pkg.guid || "";
  const bitsApps = allApps(state).filter((a) => a.app.lifecycle !== "docker");
  const [appGuid, setAppGuid] = useState("");
  const forApp = appGuid || bitsApps[0]?.app.guid || "";
  const create = async () => {
    if (!forApp) return store.say("The world has no buildpack app to create a package for.");
    await store.attempt("Creating a package failed", async () => {
      const made = await createPackage(store, forApp, user);
      if (made.guid === null) return `Creating a package answered ${problemOf(made.status, made.text)}`;
      setGuid(made.guid);
      return `Created package ${shortGuid(made.guid)} (AWAITING_UPLOAD) as ${user}: it is chosen below.`;
    });
  };
  const watched = packages.find(({ pkg }) => pkg.guid === sent)?.pkg;
  const submit = async () => {
    if (!chosen) return store.say("No package to upload to: every bits package has had its upload.");
    if (source === "file" && !file) return store.say("Pick a zip file first, or use the sample app.");
    const zip = source === "file" ? file! : new Blob([zipFiles(SAMPLE_FILES)]);
    store.say(`Uploading to package ${shortGuid(chosen)} as ${user}…`);
    try {
      const result = await send(store, chosen, user, zip, order);
      setAnswer(result);
      setSent(chosen);
      store.say(
        result.status < 300
          ? `Upload answered ${result.status}: watch the package below move to READY or FAILED.`
          : `Upload answered ${problemOf(result.status, result.text)}`,
      );
    } catch (error) {
      store.say(`The upload failed: ${(error as Error).message}`);
    }
  };
  const radio = (name: string, value: string, current: string, set: (v: any) => void, label: string) =>
    h(
      "label",
      null,
      h("input", { type: "radio", name, value, checked: current === value, onChange: () => set(value) }),
      ` ${label}`,
    );
  return h(
    "div",
    null,
    h(
      "form",
      { class: "stack", onSubmit: (e: Event) => (e.preventDefault(), void submit()) },
      h("label", { for: "upload-package" }, "Package"),
      h(
        "select",
        { id: "upload-package", value: chosen, onChange: (e: Event) => setGuid((e.target as HTMLSelectElement).value) },
        packages.map(({ pkg, app, space }) =>
          h("option", { value: pkg.guid }, `${shortGuid(pkg.guid)} · ${app.name} (${space}) · ${pkg.state}`),
        ),
      ),
      waiting.length === 0 &&
        h("p", { class: "muted" }, "No package is AWAITING_UPLOAD: create one below, or reset the simulator."),
      h(
        "div",
        { class: "inline" },
        h("label", { for: "create-app" }, "New package for app"),
        h(
          "select",
          {
            id: "create-app",
            value: forApp,
            onChange: (e: Event) => setAppGuid((e.target as HTMLSelectElement).value),
          },
          bitsApps.map(({ app, space }) => h("option", { value: app.guid }, `${app.name} (${space})`)),
        ),
        h("button", { type: "button", class: "small", onClick: () => void create() }, "Create package"),
      ),
      h("label", { for: "upload-user" }, "As user"),
      h(
        "select",
        { id: "upload-user", value: user, onChange: (e: Event) => setUser((e.target as HTMLSelectElement).value) },
        (state.world?.users ?? []).map((u) => h("option", { value: u.name }, u.name)),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Bits"),
        radio("source", "sample", source, setSource, "Built-in sample app (index.html, Staticfile, css/site.css)"),
        radio("source", "file", source, setSource, "A zip file: "),
        h("input", {
          type: "file",
          accept: ".zip,application/zip",
          "aria-label": "Zip file to upload",
          onChange: (e: Event) => {
            setFile((e.target as HTMLInputElement).files?.[0] ?? null);
            setSource("file");
          },
        }),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Field order"),
        radio("order", "cf", order, setOrder, "cf CLI: resources, then bits"),
        radio("order", "bits-first", order, setOrder, "Other clients: bits, then resources"),
      ),
      h("button", { type: "submit" }, "Send upload"),
    ),
    watched &&
      h(
        "p",
        { class: "watch", "aria-live": "polite" },
        `Package ${shortGuid(watched.guid)}: `,
        h(Badge, { state: watched.state }),
        watched.error ? ` ${watched.error}` : "",
      ),
    answer &&
      h("div", null, h("h3", null, `Answer ${answer.status}`), h("pre", { class: "body" }, answer.text.slice(0, 4000))),
  );
}
