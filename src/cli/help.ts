/** The text of `mock-packages --help` (and `mock-packages help`). */
import { DEFAULTS } from "../core/options.js";
import { DEFAULT_SIGNING_KEY } from "../core/auth/tokens.js";

export const HELP = `mock-packages: a faithful Cloud Foundry V3 package upload simulator

Usage:
  mock-packages [serve] [options]    serve the simulator over HTTP (serve is the default command)
  mock-packages token --user NAME    print a bearer token for a user (and nothing else)
  mock-packages scenarios [--json]   list the scenarios with a line on each (--json: one JSON document)
  mock-packages help                 show this help (as --help does)

Server options:
  --port N                 port to listen on (default 4010; 0 picks a free one)
  --base-path PATH         serve the API under PATH, e.g. /api/cf (GET /api/cf/v3/…, the admin API at
                           /api/cf/__mock/…; links carry the path; outside it: 404 CF-NotFound)
  --host H                 address to bind (default 127.0.0.1, this machine only; any other address
                           prints a warning and makes the admin API need a token, see --admin-token)
  --seed N                 seed of the fixture world and of guids (default ${DEFAULTS.seed})
  --processing-delay MS    time from an accepted upload to READY/FAILED (default ${DEFAULTS.processingDelay})
  --signing-key KEY        HS256 key tokens must be signed with (default: the documented "${DEFAULT_SIGNING_KEY}")
  --token-ttl SECONDS      lifetime of the access tokens POST /oauth/token mints (default ${DEFAULTS.tokenTtl},
                           UAA's); under 60 the cf CLI refreshes before every request
  --max-body-size BYTES    largest request body; larger gets 413 (default ${DEFAULTS.maxBodySize})
  --max-json-body-size BYTES  largest JSON request body (creates, resource matches, the admin API);
                           larger gets 413 (default ${DEFAULTS.maxJsonBodySize})
  --max-package-size BYTES largest unzipped package (default ${DEFAULTS.maxPackageSize})
  --resource-cache-min-size BYTES  smallest file the resource cache takes (default ${DEFAULTS.resourceCacheMinSize})
  --resource-cache-max-size BYTES  largest file the resource cache takes (default ${DEFAULTS.resourceCacheMaxSize})
  --resource-cache-budget BYTES    most bytes of files the resource cache keeps; the least recently
                                   used go first (default ${DEFAULTS.resourceCacheBudget})
  --download-link-method   add "method":"GET" to download links, as the seed document shows
  --blobstore remote|local how downloads answer (default remote): remote answers 302 with the Location
                           of a signed blob URL (no token needed, good for 3600 s), as S3, GCS, Azure and
                           WebDAV foundations do; local answers 200 with the zip (curl needs -L for remote)
  --scenario NAME          how uploads are answered (default cloud-controller; see 'mock-packages scenarios');
                           options after a semicolon, e.g. --scenario "slow; latency=300"
  --latency MS|MIN-MAX     latency of the 'slow' scenario (default 2000)
  --no-admin               do not serve the admin API under /__mock/, nor the dashboard (/__mock/ui/)
  --admin-origin URL       a page origin besides localhost/127.0.0.1/[::1] that may use the admin API
                           from a browser, e.g. https://dev.example.com:8443 (repeatable)
  --admin-token TOKEN      the admin API needs 'Authorization: bearer TOKEN' (default: none on
                           127.0.0.1; with another --host, a random token printed at start)
  --admin-open             with another --host, no admin token: anyone on the network may drive it
  --journal-max-bytes BYTES  most bytes the request journal keeps, the oldest entries go first
                           (default ${DEFAULTS.journalMaxBytes}; GET /__mock/journal counts the dropped)
  --contract-verdicts      check each request against spec/openapi.yaml for the journal
                           (GET /__mock/journal); loads Prism, which must be installed beside mock-packages
                           (npm install -D @stoplight/prism-http@5.12.0): about 2 s more start-up, 100 MB more memory
  --world FILE             start on your own world (YAML or JSON, schema: fixtures/world.schema.json)
  --quiet                  no per-request log lines
  --pid-file FILE          write the server's process id to FILE at start; removed when it stops
  --max-sandboxes N        most sandboxes at once (default ${DEFAULTS.maxSandboxes}; one more is 422); see POST /__mock/sandboxes
  --sandbox-idle-timeout SECONDS  a sandbox with no request for this long is deleted with its bits
                           (default ${DEFAULTS.sandboxIdleTimeout}; 0 keeps sandboxes until deleted)

  Every server option can come from the environment instead: MOCK_PACKAGES_<OPTION IN UPPER_SNAKE>,
  e.g. MOCK_PACKAGES_PORT=4010, MOCK_PACKAGES_NO_ADMIN=1 (on/off options take 1, true, 0 or false;
  --admin-origin takes a comma-separated list). An option on the command line wins over the environment.

Token options:
  --user NAME              a fixture user: admin, admin-read-only, global-auditor, space-developer,
                           space-manager, space-auditor, space-supporter, org-manager, org-auditor,
                           org-billing-manager, no-role (any other name is a user with no roles)
  --expired                a token that expired an hour ago (the server answers 401 CF-InvalidAuthToken)
  --scope LIST             comma-separated scopes instead of the user's defaults
  --expires-in SECONDS     lifetime (default 3600)
  --signing-key KEY        as above; must match the server's
  --world FILE             take the user's global role (and so the scopes) from this world file
  --sandbox ID             a token for sandbox ID: every request with it is served by that sandbox

  -h, --help               show this help
  -v, --version            print the version

Examples:
  npx mock-packages --port 4010
  TOKEN=$(npx mock-packages token --user space-developer)
  curl -H "Authorization: bearer $TOKEN" http://127.0.0.1:4010/v3/packages
  curl -X POST http://127.0.0.1:4010/__mock/sandboxes -H 'content-type: application/json' -d '{"id":"alice"}'
  TOKEN=$(npx mock-packages token --user space-developer --sandbox alice)
`;
