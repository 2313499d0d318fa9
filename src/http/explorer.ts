/**
 * The offline explorer: a GraphiQL page whose scripts and styles are all served by the gateway
 * itself from node_modules, so it works without reaching any other host. Queries and mutations
 * go over HTTP to the page's own URL; subscriptions over WebSocket (graphql-ws, bundled in
 * GraphiQL's UMD build) to the same URL as `ws:`/`wss:`, with the header editor's headers
 * (`x-api-key`, `Authorization`) as `connectionParams`, which the gateway authenticates.
 *
 * Why GraphiQL 4.1 with React 18: it is the last GraphiQL that ships a UMD bundle
 * (`graphiql.min.js` + `graphiql.min.css`, fonts inlined as data URLs) usable from plain
 * `<script>` tags; GraphiQL 5 is ESM-only with Monaco and its web workers, which needs a
 * bundler or an import map over dozens of modules. React 19 dropped UMD builds, so React and
 * ReactDOM stay on 18 (`umd/*.production.min.js`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallerAuthConfig } from '../config';

/** The query the explorer opens with. */
export const EXAMPLE_QUERY = `# CDN url-tasks gateway: press ▶ (Ctrl-Enter) to run.
# Schema docs: the top-left icon. Follow a task live (over WebSocket):
# subscription { taskProgress(taskId: "…") { status processing succeeded failed total } }
query RecentUrlTasks {
  urlTasks(first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      url
      status
      type
      createdAt
      task { taskId status total succeeded failed }
    }
  }
}
`;

/** Where the explorer's assets are served, relative to the page at `/graphql`. */
export const EXPLORER_ASSET_PREFIX = '/explorer/';

/** Settings of the explorer page. */
export interface ExplorerOptions {
  /** Headers to pre-fill (e.g. an `x-api-key` placeholder when callers must authenticate). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Shown in the page title and the GraphiQL logo. */
  readonly title?: string;
}

/** The explorer: the page, and a handler for its assets. */
export interface Explorer {
  /** Sends the GraphiQL page; `host` (the request's Host header) lets its policy name the page's WebSocket origin. */
  sendPage(res: ServerResponse, host?: string): void;
  /** Sends the asset at a path under `/explorer/`; returns false when there is no such asset. */
  sendAsset(path: string, req: IncomingMessage, res: ServerResponse): boolean;
}

// A Host header safe to repeat in a policy: a DNS name or IPv4 address, or a bracketed IPv6 address, and an optional port.
const SAFE_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Returns the page's Content Security Policy: everything from this origin only (inline styles
 * are GraphiQL's own), and connections to it over HTTP and WebSocket. CSP Level 3 lets
 * `'self'` cover the page's own `ws:`/`wss:` origin, but older engines (Safari before 15.4)
 * do not, so a well-formed `host` is named for both schemes too; any other value is left out.
 */
export function explorerCsp(host: string | undefined): string {
  const sockets = host !== undefined && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  gzipped?: Buffer;
}

// The files of the page, read from the packages that ship them.
function loadAssets(): Map<string, Asset> {
  const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
  const file = (name: string, rel: string, type: string): Asset => ({ type, body: readFileSync(join(packageDir(name), rel)) });
  return new Map<string, Asset>([
    ['react.production.min.js', file('react', 'umd/react.production.min.js', 'text/javascript; charset=utf-8')],
    ['react-dom.production.min.js', file('react-dom', 'umd/react-dom.production.min.js', 'text/javascript; charset=utf-8')],
    ['graphiql.min.js', file('graphiql', 'graphiql.min.js', 'text/javascript; charset=utf-8')],
    ['graphiql.min.css', file('graphiql', 'graphiql.min.css', 'text/css; charset=utf-8')],
    ['explorer.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(CLIENT_SCRIPT) }],
  ]);
}

/** Creates the explorer, reading its assets once. */
export function createExplorer(options: ExplorerOptions = {}): Explorer {
  const assets = loadAssets();
  const title = options.title ?? 'CDN url-tasks gateway';
  const page = Buffer.from(renderPage({ title, query: EXAMPLE_QUERY, headers: options.headers ?? {} }));
  return {
    sendPage(res, host) {
      res.statusCode = 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-security-policy', explorerCsp(host));
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('cache-control', 'no-cache');
      res.end(page);
    },
    sendAsset(path, req, res) {
      const asset = path.startsWith(EXPLORER_ASSET_PREFIX) ? assets.get(path.slice(EXPLORER_ASSET_PREFIX.length)) : undefined;
      if (!asset) return false;
      res.statusCode = 200;
      res.setHeader('content-type', asset.type);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('cache-control', 'public, max-age=3600');
      res.setHeader('vary', 'Accept-Encoding');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        // Compressed on first use: GraphiQL's bundle shrinks from about 1 MB to about 300 kB.
        asset.gzipped ??= gzipSync(asset.body);
        res.setHeader('content-encoding', 'gzip');
        res.end(req.method === 'HEAD' ? undefined : asset.gzipped);
      } else res.end(req.method === 'HEAD' ? undefined : asset.body);
      return true;
    },
  };
}

/** Returns the headers the page pre-fills for a caller-authentication setting, so a person sees where their credential goes. */
export function credentialHeaders(auth: CallerAuthConfig): Record<string, string> {
  switch (auth.mode) {
    case 'none':
      return {};
    case 'api-key':
      return { 'x-api-key': '<your API key>' };
    case 'jwt':
      return { Authorization: 'Bearer <your JWT>' };
  }
}

/** Tells whether a request to `/graphql` is a browser asking for a page rather than a GraphQL GET. */
export function wantsExplorerPage(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const accept = String(req.headers.accept ?? '');
  if (!accept.includes('text/html')) return false;
  // A GET with a query string is a GraphQL request even from a browser.
  const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return !search.has('query') && !search.has('extensions');
}

// The page: the assets, then the configuration as inert JSON read by explorer.js.
function renderPage(config: { title: string; query: string; headers: Readonly<Record<string, string>> }): string {
  const json = JSON.stringify({
    title: config.title,
    defaultQuery: config.query,
    defaultHeaders: Object.keys(config.headers).length > 0 ? JSON.stringify(config.headers, null, 2) : '',
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(config.title)} · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="explorer/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the GraphiQL explorer…</div>
<script type="application/json" id="explorer-config">${json}</script>
<script src="explorer/react.production.min.js"></script>
<script src="explorer/react-dom.production.min.js"></script>
<script src="explorer/graphiql.min.js"></script>
<script src="explorer/explorer.js"></script>
</body>
</html>
`;
}

// Escapes text for HTML.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Runs in the browser: mounts GraphiQL against the URL the page was loaded from, subscriptions over WebSocket to the same URL.
const CLIENT_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  var url = new URL(window.location.pathname, window.location.href).toString();
  var subscriptionUrl = url.replace(/^http/, 'ws');
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  var logo = React.createElement(GraphiQL.Logo, null, config.title + ' · ' + url);
  var props = { fetcher: fetcher, defaultQuery: config.defaultQuery, shouldPersistHeaders: false };
  if (config.defaultHeaders) props.defaultHeaders = config.defaultHeaders;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props, logo));
})();
`;
