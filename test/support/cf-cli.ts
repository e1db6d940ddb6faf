/**
 * The cf CLI's wire protocol for the commands of issue 12, as
 * ../shared/reference/cf-cli-login-flow.md documents it from the CLI's source: the same
 * requests in the same order, with the same headers, form encoding and query strings, and
 * reading the same fields (a missing one fails here where it would fail the CLI). v8 by
 * default; v7 adds its setup requests and routes by the `/v3` links.
 *
 * No cf binary can be installed here, so this is the closest a test can come to one.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { Answer } from "./client.js";
import { sendWire } from "./wire.js";

const USER_AGENT = "cf/8.7.10+5b7ce3c.2024-04-04 (go1.21.9; amd64 linux)";

/** What the CLI keeps in config.json between commands (`cli@v8:util/configv3/json_config.go`). */
export interface CliConfig {
  target: string;
  apiVersion: string;
  authorizationEndpoint: string;
  accessToken: string;
  refreshToken: string;
  org: { guid: string; name: string } | null;
  space: { guid: string; name: string } | null;
  /** v7 only: the `/v3` document's links. */
  v3Links: Record<string, { href: string }> | null;
}

/** Decodes a JWT as the CLI does (SermoDigital/jose: three unpadded base64url segments, signature unchecked). */
export function decodeJwt(token: string): Record<string, unknown> {
  const segments = token.split(".");
  expect(segments, "a JWT has exactly three segments").toHaveLength(3);
  for (const s of segments.slice(0, 2)) expect(s, "base64url without padding").toMatch(/^[A-Za-z0-9_-]+$/);
  const header = JSON.parse(Buffer.from(segments[0]!, "base64url").toString("utf8"));
  expect(header.cty, "no cty header").toBeUndefined();
  return JSON.parse(Buffer.from(segments[1]!, "base64url").toString("utf8"));
}

export class CfCli {
  readonly config: CliConfig = {
    target: "",
    apiVersion: "",
    authorizationEndpoint: "",
    accessToken: "",
    refreshToken: "",
    org: null,
    space: null,
    v3Links: null,
  };
  /** Every request sent, `METHOD path?query`, in order. */
  readonly sent: string[] = [];
  private readonly trace = randomBytes(16).toString("hex");

  constructor(
    private readonly version: "v8" | "v7" = "v8",
    /** Now, in seconds since the epoch: the refresh check reads it. */
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  private async send(url: string, method: string, headers: Record<string, string>, body?: Uint8Array | string) {
    const u = new URL(url);
    this.sent.push(`${method} ${u.pathname}${u.search}`);
    return sendWire(u.origin, { method, path: u.pathname + u.search, headers, body });
  }

  /** The CLI's request headers for the Cloud Controller (P.1). */
  private ccHeaders(extra: Record<string, string> = {}, hasBody = false): Record<string, string> {
    const h: Record<string, string> = {
      "User-Agent": USER_AGENT,
      Accept: "application/json",
      "X-B3-TraceId": this.trace,
      "X-B3-SpanId": randomBytes(8).toString("hex"),
    };
    if (this.version === "v8" || hasBody) h["Content-Type"] = "application/json";
    return { ...h, ...extra };
  }

  /** The UAA client's headers (P.3). */
  private uaaHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return {
      "User-Agent": USER_AGENT,
      Accept: "application/json",
      Connection: "close",
      "X-B3-TraceId": this.trace,
      "X-B3-SpanId": randomBytes(8).toString("hex"),
      ...extra,
    };
  }

  /** A Cloud Controller request: refreshes first when the token expires within 60 s (2.6), then sends `bearer <JWT>`. */
  async cc(method: string, path: string, body?: string | Uint8Array, contentType?: string): Promise<Answer> {
    await this.refreshIfDue();
    const headers = this.ccHeaders(contentType ? { "Content-Type": contentType } : {}, body !== undefined);
    if (this.config.accessToken) headers.Authorization = this.config.accessToken;
    const url = this.version === "v7" ? this.routeV7(path) : this.config.target + path;
    return this.send(url, method, headers, body);
  }

  /** v7 joins `links.<resource>.href` with the rest of the path (3.2); a missing link fails the command. */
  private routeV7(path: string): string {
    const m = /^\/v3\/([a-z_]+)(.*)$/.exec(path);
    if (!m) return this.config.target + path;
    const link = this.config.v3Links?.[m[1]!];
    expect(link, `the /v3 document links ${m[1]}`).toBeDefined();
    return link!.href + m[2];
  }

  private async refreshIfDue(): Promise<void> {
    if (!this.config.accessToken) return;
    const exp = decodeJwt(this.config.accessToken.slice(7)).exp;
    if (typeof exp === "number" && exp - this.now() >= 60) return;
    const r = await this.token(
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(this.config.refreshToken)}`,
    );
    expect(r.status, r.text).toBe(200);
    expect(r.json.token_type).toBe("bearer");
    this.config.accessToken = `${r.json.token_type} ${r.json.access_token}`;
    if (r.json.refresh_token) this.config.refreshToken = r.json.refresh_token;
  }

  /** `POST {login}/oauth/token`, form-encoded, Basic `cf:` unless client credentials (2.2). */
  token(form: string, basic = true): Promise<Answer> {
    const headers = this.uaaHeaders({ "Content-Type": "application/x-www-form-urlencoded" });
    if (basic) headers.Authorization = "Basic Y2Y6";
    return this.send(`${this.config.authorizationEndpoint}/oauth/token`, "POST", headers, form);
  }

  /** v7's setup requests before most commands (P.6): `GET /`, `GET /v3`, `GET {login}/login`. */
  private async setup(): Promise<void> {
    if (this.version !== "v7") return;
    await this.root();
    await this.v3();
    await this.loginInfo();
  }

  private async root(): Promise<void> {
    const r = await this.send(this.config.target, "GET", this.ccHeaders());
    expect(r.status).toBe(200);
    expect(r.json.cf_on_k8s ?? false).toBe(false);
    this.config.apiVersion = r.json.links.cloud_controller_v3.meta.version;
    this.config.authorizationEndpoint = r.json.links.login.href;
  }

  private async v3(): Promise<void> {
    const r = await this.send(`${this.config.target}/v3`, "GET", this.ccHeaders());
    expect(r.status).toBe(200);
    this.config.v3Links = r.json.links;
  }

  /** `GET {login}/login` (2.1): every prompt has at least two elements. */
  async loginInfo(): Promise<Answer> {
    const r = await this.send(
      `${this.config.authorizationEndpoint}/login`,
      "GET",
      this.uaaHeaders({ Authorization: this.config.accessToken }),
    );
    expect(r.status).toBe(200);
    for (const prompt of Object.values(r.json.prompts as Record<string, unknown[]>)) {
      expect(prompt.length).toBeGreaterThanOrEqual(2);
    }
    expect(r.json.prompts.username[0]).toBe("text");
    expect(r.json.prompts.password[0]).toBe("password");
    return r;
  }

  /** `cf api URL` (1.1). */
  async api(url: string): Promise<void> {
    this.config.target = url;
    await this.root();
    if (this.version === "v7") await this.v3();
    Object.assign(this.config, { accessToken: "", refreshToken: "", org: null, space: null });
  }

  /** `cf auth USER PASSWORD` (1.2): answers the token endpoint's answer; on success the tokens are stored. */
  async auth(user: string, password: string): Promise<Answer> {
    await this.setup();
    Object.assign(this.config, { org: null, space: null });
    const form = `grant_type=password&password=${encodeURIComponent(password)}&username=${encodeURIComponent(user)}`;
    const r = await this.token(form);
    if (r.status === 200) {
      expect(typeof r.json.access_token).toBe("string");
      this.config.accessToken = `bearer ${r.json.access_token}`;
      this.config.refreshToken = r.json.refresh_token ?? "";
    } else Object.assign(this.config, { accessToken: "", refreshToken: "" });
    return r;
  }

  /** `cf login -a URL -u USER -p PASSWORD -o ORG -s SPACE` (1.3, v8): root, prompts, token, then the org and space lookups. */
  async login(url: string, user: string, password: string, org: string, space: string): Promise<Answer> {
    await this.api(url);
    const prompts = (await this.loginInfo()).json.prompts;
    const form = new URLSearchParams();
    form.set("grant_type", "password");
    if (prompts.password) form.set("password", password);
    if (prompts.username) form.set("username", user);
    form.sort();
    const r = await this.token(form.toString());
    expect(r.status, "Unable to authenticate.").toBe(200);
    this.config.accessToken = `bearer ${r.json.access_token}`;
    this.config.refreshToken = r.json.refresh_token ?? "";
    await this.lookUp(org, space);
    return r;
  }

  /** `cf target -o ORG -s SPACE` (1.5). */
  async target(org: string, space: string): Promise<void> {
    await this.setup();
    await this.lookUp(org, space);
  }

  /** The org by name, then the space by name in it (1.3 steps 6-7, 1.5). */
  private async lookUp(org: string, space: string): Promise<void> {
    const paging = this.version === "v8" ? "&page=1&per_page=1" : "";
    const orgs = await this.cc("GET", `/v3/organizations?names=${encodeURIComponent(org)}${paging}`);
    expect(orgs.status).toBe(200);
    expect(orgs.json.resources.length, `Organization '${org}' not found.`).toBeGreaterThan(0);
    this.config.org = { guid: orgs.json.resources[0].guid, name: org };
    const spaces = await this.cc(
      "GET",
      `/v3/spaces?names=${encodeURIComponent(space)}&organization_guids=${this.config.org.guid}${paging}`,
    );
    expect(spaces.status).toBe(200);
    expect(spaces.json.resources.length, `Space '${space}' not found.`).toBeGreaterThan(0);
    this.config.space = { guid: spaces.json.resources[0].guid, name: spaces.json.resources[0].name };
  }

  /** Follows `pagination.next.href` verbatim until it is null (P.2); answers every resource. */
  private async all(path: string): Promise<any[]> {
    let r = await this.cc("GET", path);
    expect(r.status).toBe(200);
    const resources = [...r.json.resources];
    while (r.json.pagination?.next?.href) {
      const next = new URL(r.json.pagination.next.href);
      r = await this.cc("GET", next.pathname + next.search);
      expect(r.status).toBe(200);
      resources.push(...r.json.resources);
    }
    return resources;
  }

  /** `cf orgs` (1.6): the names, in the order answered. */
  async orgs(): Promise<string[]> {
    await this.setup();
    return (await this.all("/v3/organizations?order_by=name")).map((o) => o.name as string);
  }

  /** `cf spaces` (1.7). */
  async spaces(): Promise<string[]> {
    await this.setup();
    return (await this.all(`/v3/spaces?order_by=name&organization_guids=${this.config.org!.guid}`)).map((s) => s.name);
  }

  private async appGuid(app: string): Promise<string> {
    const apps = await this.all(`/v3/apps?names=${encodeURIComponent(app)}&space_guids=${this.config.space!.guid}`);
    expect(apps.length, `App '${app}' not found.`).toBeGreaterThan(0);
    return apps[0].guid;
  }

  /** `cf create-package APP -p DIR` (1.8): answers the package guid and its final state. */
  async createPackage(app: string, zip: Uint8Array, pollMs = 0): Promise<{ guid: string; state: string }> {
    await this.setup();
    const appGuid = await this.appGuid(app);
    const body = `{"relationships":{"app":{"data":{"guid":"${appGuid}"}}},"type":"bits"}`;
    const created = await this.cc("POST", "/v3/packages", body);
    expect(created.status).toBe(201);
    const guid = created.json.guid as string;
    const boundary = randomBytes(30).toString("hex");
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="bits"; filename="cf-cli-${Date.now()}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const upload = Buffer.concat([Buffer.from(head), Buffer.from(zip), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const up = await this.cc(
      "POST",
      `/v3/packages/${guid}/upload`,
      upload,
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(up.status).toBe(200);
    expect(typeof up.json).toBe("object");
    let state = created.json.state as string;
    while (!["READY", "FAILED", "EXPIRED"].includes(state)) {
      await new Promise((r) => setTimeout(r, pollMs));
      const pkg = await this.cc("GET", `/v3/packages/${guid}`);
      expect(pkg.status).toBe(200);
      state = pkg.json.state;
    }
    return { guid, state };
  }

  /** `cf packages APP` (1.9): guid, state and created_at (RFC 3339) of each package, newest first. */
  async packages(app: string): Promise<Array<{ guid: string; state: string; created_at: string }>> {
    await this.setup();
    const appGuid = await this.appGuid(app);
    const list = await this.all(`/v3/packages?app_guids=${appGuid}&order_by=-created_at`);
    for (const p of list) expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    return list.map((p) => ({ guid: p.guid, state: p.state, created_at: p.created_at }));
  }

  /** `cf curl PATH` (1.10, v8): the target plus the path, the usual headers and token. */
  curl(path: string): Promise<Answer> {
    return this.cc("GET", `/${path.replace(/^\/+/, "")}`);
  }

  /** `cf logout` (1.11): revokes only when the token says `revocable: true`. */
  async logout(): Promise<void> {
    await this.setup();
    if (this.config.accessToken && decodeJwt(this.config.accessToken.slice(7)).revocable === true) {
      const headers = this.uaaHeaders({ Authorization: this.config.accessToken });
      for (const token of [this.config.refreshToken, this.config.accessToken.slice(7)]) {
        const jti = token.split(".").length === 3 ? decodeJwt(token).jti : undefined;
        if (typeof jti === "string") {
          await this.send(`${this.config.authorizationEndpoint}/oauth/token/revoke/${jti}`, "DELETE", headers);
        }
      }
    }
    Object.assign(this.config, { accessToken: "", refreshToken: "", org: null, space: null });
  }
}
