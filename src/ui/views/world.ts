/** World: orgs, spaces, apps and their packages, live. */
import { h } from "preact";
import { Badge, Scroll, Empty, dateTime, shortGuid } from "../parts.js";
import type { AppView, PackageView, Store, WorldView } from "../store.js";

function PackageRow({ pkg, binding }: { pkg: PackageView; binding: string | undefined }) {
  return h(
    "tr",
    { "data-package": pkg.guid },
    h("td", null, h("code", { title: pkg.guid }, shortGuid(pkg.guid))),
    h("td", null, pkg.type),
    h("td", null, h(Badge, { state: pkg.state })),
    h(
      "td",
      { class: "wrap" },
      pkg.checksum ? h("code", { title: pkg.checksum }, pkg.checksum.slice(0, 12) + "…") : (pkg.image ?? "—"),
    ),
    h("td", { class: "wrap error-text" }, pkg.error ?? ""),
    h("td", null, dateTime(pkg.createdAt)),
    h("td", null, dateTime(pkg.updatedAt)),
    h("td", null, binding ? h("span", { class: "pill" }, binding) : ""),
    h(
      "td",
      null,
      pkg.download
        ? h("a", { href: pkg.download, download: `${pkg.guid}.zip`, "aria-label": `zip of package ${pkg.guid}` }, "zip")
        : "",
    ),
  );
}

function AppBlock({ app, bindings }: { app: AppView; bindings: Record<string, { name: string }> }) {
  return h(
    "div",
    { class: "app" },
    h("h4", null, `app ${app.name} `, h("small", null, `${app.lifecycle} · ${app.guid}`)),
    app.packages.length === 0
      ? h("p", { class: "muted" }, "No packages.")
      : h(
          Scroll,
          { label: `Packages of ${app.name}` },
          h(
            "table",
            null,
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                [
                  "package",
                  "type",
                  "state",
                  "checksum / image",
                  "data.error",
                  "created",
                  "updated",
                  "scenario",
                  "bits",
                ].map((c) => h("th", { scope: "col" }, c)),
              ),
            ),
            h(
              "tbody",
              null,
              app.packages.map((pkg) => h(PackageRow, { key: pkg.guid, pkg, binding: bindings[pkg.guid]?.name })),
            ),
          ),
        ),
  );
}

export function WorldViewPanel({ store, world }: { store: Store; world: WorldView | null }) {
  if (!world) return h(Empty, null, "Loading the world…");
  const bindings = store.state.scenarios?.packages ?? {};
  return h(
    "div",
    null,
    h(
      "p",
      { class: "muted" },
      `Downloads: ${world.blobstore === "local" ? "local blobstore (200 with the zip)" : "remote blobstore (302 to a signed URL)"}. Packages change here as they move.`,
    ),
    world.orgs.map((org) =>
      h(
        "section",
        { class: "org", key: org.guid },
        h("h2", null, `org ${org.name} `, org.suspended ? h("span", { class: "pill warn" }, "suspended") : null),
        org.spaces.map((space) =>
          h(
            "div",
            { class: "space", key: space.guid },
            h("h3", null, `space ${space.name}`),
            space.apps.map((app) => h(AppBlock, { key: app.guid, app, bindings })),
          ),
        ),
      ),
    ),
  );
}
