/**
 * The admin API's routes for the dashboard (`/__mock/ui/`) and for anyone watching the
 * simulator: the world as a tree, a token for any user, one journal entry, the journal as HAR,
 * the live event stream, and the page's own files. Each is behind the admin guard
 * (`admin-guard.ts`) but the page's files, which hold no state: a browser navigating to the page
 * cannot send the admin token, so the page asks for it (or takes it from `#token=` in its URL).
 */
import { mintUserAccessToken } from "../auth/uaa-tokens.js";
import { scopesForRole } from "../auth/user-tokens.js";
import type { Context } from "../context.js";
import { CfError } from "../errors.js";
import { presentWorld } from "../events/present.js";
import { json, type Answer } from "../http/answer.js";
import { mayUseAdmin, originRefused } from "../http/admin-origins.js";
import { DEFAULT_SANDBOX } from "../sandboxes/resolve.js";
import { isPlainObject } from "../validation.js";

/** `GET /__mock/world`. */
export async function handleWorld(ctx: Context): Promise<Answer> {
  return json(200, presentWorld(ctx.state, ctx.services.blobSigner, ctx.services.now()));
}

/**
 * `POST /__mock/tokens` `{"user": NAME}`: an access token for a user of the world, as the
 * password grant mints it (the user's scopes from their global role, `--token-ttl` long). Asked
 * of a sandbox (`/sandboxes/ID/__mock/tokens`, or with its header), the token carries that
 * sandbox's claim, so that it reaches the sandbox from any URL: the dashboard's Tokens and Upload
 * views mint theirs here, and a copied token must not land in the default sandbox's world.
 */
export async function handleMintToken(ctx: Context): Promise<Answer> {
  const body = await ctx.jsonBody();
  const name = isPlainObject(body) ? body.user : undefined;
  if (typeof name !== "string" || name === "") {
    throw new CfError("BadRequest", `the body must be {"user": "<user name>"}, e.g. {"user": "space-developer"}`);
  }
  const user = [...ctx.state.users.values()].find((u) => u.name === name || u.guid === name);
  if (!user) {
    const known = [...ctx.state.users.values()].map((u) => u.name).join(", ");
    throw new CfError("BadRequest", `no user '${name}' in this world; its users are ${known}`);
  }
  const ttl = ctx.services.options.tokenTtl;
  const issued = await mintUserAccessToken(
    { signingKey: ctx.services.options.signingKey, origin: ctx.origin, now: ctx.services.now(), ttl },
    {
      userId: user.guid,
      userName: user.name,
      scope: scopesForRole(user.globalRole),
      ...(ctx.services.sandboxId !== DEFAULT_SANDBOX ? { sandbox: ctx.services.sandboxId } : {}),
    },
  );
  return json(200, {
    user: user.name,
    userGuid: user.guid,
    scopes: issued.scope,
    expiresIn: ttl,
    token: issued.accessToken,
  });
}

/** `GET /__mock/journal/{id}`: one whole entry, with its answer. */
export async function handleJournalEntry(ctx: Context): Promise<Answer> {
  const id = ctx.params.id!;
  const entry = /^\d{1,15}$/.test(id) ? ctx.services.journal.get(Number(id)) : undefined;
  if (!entry) throw new CfError("ResourceNotFound", "Journal entry not found (it may have been dropped or cleared)");
  return json(200, entry);
}

/** `GET /__mock/journal.har`: the journal as HAR 1.2, to save as a file. */
export async function handleJournalHar(ctx: Context): Promise<Answer> {
  const har = ctx.services.journal.toHar({ origin: ctx.origin });
  return json(200, har, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Disposition": 'attachment; filename="mock-packages.har"',
  });
}

/** `GET /__mock/events`: Server-Sent Events (`events/hub.ts` says what is sent and its bounds). */
export async function handleEvents(ctx: Context): Promise<Answer> {
  return {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      // nginx and other proxies would otherwise buffer the stream.
      "X-Accel-Buffering": "no",
    },
    body: ctx.services.events.subscribe(),
  };
}

/** A file of the dashboard: its bytes and content type. */
export interface UiFile {
  /** The page's files are text: HTML, JavaScript, CSS, SVG. */
  body: string;
  contentType: string;
}

/** Reads a file of the dashboard by name (`index.html`, `app.js`, …); null when there is none. */
export type UiFiles = (name: string) => Promise<UiFile | null>;

const NO_PAGE =
  "The dashboard's files are served by the HTTP server (npx mock-packages, or serve() from mock-packages/node); " +
  "this simulator was not given them";

/** `GET /__mock/ui/` and `GET /__mock/ui/{file}`: the page, from files an adapter provides. */
export async function handleUiFile(ctx: Context): Promise<Answer> {
  // The page's files hold no state, so no admin token; pages of other origins are still refused.
  if (!mayUseAdmin(ctx.request, ctx.services.options.adminOrigins))
    throw originRefused(ctx.request.headers.get("origin"));
  const path = ctx.url.pathname.replace(/\/{2,}/g, "/");
  // Without the slash, the page's relative links would resolve under /__mock/.
  if (/\/ui$/.test(path)) return { status: 302, headers: { Location: `${path}/` }, body: null };
  const name = ctx.params.file ?? "index.html";
  const files = ctx.services.uiFiles;
  if (!files) throw CfError.withDetail("NotFound", NO_PAGE);
  const file = /^[\w.-]+$/.test(name) && !name.startsWith(".") ? await files(name) : null;
  if (!file) throw new CfError("NotFound");
  return {
    status: 200,
    headers: {
      "Content-Type": file.contentType,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      // Everything the page needs comes from this server: scripts, styles, images and its API calls.
      "Content-Security-Policy":
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    },
    body: file.body,
  };
}
