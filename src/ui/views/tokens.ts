/**
 * Tokens: an access token for any user of the world, with copy buttons and a ready curl command.
 * In a sandbox the token comes from the sandbox's admin API, so it carries the sandbox's claim,
 * and the curl command uses the sandbox's prefix as well: either alone reaches the sandbox.
 */
import { h } from "preact";
import { useState } from "preact/hooks";
import { CopyButton, origin } from "../parts.js";
import type { State, Store } from "../store.js";

export interface Minted {
  user: string;
  scopes: string[];
  expiresIn: number;
  token: string;
}

export async function mint(store: Store, user: string): Promise<Minted> {
  return (await store.api.send<Minted>("POST", "/tokens", { user }))!;
}

export function TokensView({ store, state }: { store: Store; state: State }) {
  const users = state.world?.users ?? [];
  const [user, setUser] = useState("space-developer");
  const [minted, setMinted] = useState<Minted | null>(null);
  const go = async () => {
    await store.attempt("Could not mint a token", async () => {
      const m = await mint(store, user);
      setMinted(m);
      return `Minted a token for ${m.user}, good for ${m.expiresIn} s (scopes: ${m.scopes.join(" ")}).`;
    });
  };
  const curl = minted ? `curl -H "Authorization: bearer ${minted.token}" ${origin(store)}/v3/packages` : "";
  return h(
    "div",
    null,
    h(
      "form",
      { class: "inline", onSubmit: (e: Event) => (e.preventDefault(), void go()) },
      h("label", { for: "token-user" }, "User "),
      h(
        "select",
        { id: "token-user", value: user, onChange: (e: Event) => setUser((e.target as HTMLSelectElement).value) },
        users.map((u) =>
          h("option", { value: u.name }, `${u.name}${u.roles.length ? ` — ${u.roles.join(", ")}` : " — no roles"}`),
        ),
      ),
      h("button", { type: "submit" }, "Mint token"),
    ),
    h(
      "p",
      { class: "muted" },
      "Signed with the server's signing key, as POST /oauth/token mints them. Every user's password is 'password' (cf auth).",
    ),
    state.sandbox !== null &&
      h(
        "p",
        { "data-testid": "token-sandbox" },
        `A token minted here carries sandbox '${state.sandbox}''s claim (mock_sandbox): any request with it is served by that sandbox, `,
        "with or without the /sandboxes/ prefix the curl command uses.",
      ),
    minted
      ? h(
          "div",
          { class: "minted" },
          h("label", { for: "token-output" }, `Token for ${minted.user}`),
          h("textarea", { id: "token-output", readOnly: true, rows: 4, value: minted.token }),
          h(CopyButton, { text: minted.token, what: "token", store }),
          h("label", { for: "curl-output" }, "curl"),
          h("textarea", { id: "curl-output", readOnly: true, rows: 3, value: curl }),
          h(CopyButton, { text: curl, what: "curl command", store }),
        )
      : h("div", { class: "empty" }, "No token yet: pick a user and mint one."),
  );
}
