/**
 * Baseline B2: the least any gateway that reads the data must do. A node:http server that
 * reads the request, makes the one signed url-tasks call through an undici Pool, parses the
 * page and serializes the same JSON the gateway answers for the page scenario (same ids,
 * enums and dates), with no GraphQL, no validation and no resilience. It ignores the query
 * text and reads only the variables `first`, `after` and `before`.
 *
 * Run as a process: `PORT=… CDN_ENDPOINT=… node --import tsx bench/baselines/passthrough.ts`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { signRequest, type AkSkCredentials } from '../../src/cdn/signer';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';

/** Options of the pass-through server. */
export interface PassthroughOptions {
  /** The upstream origin, e.g. `http://127.0.0.1:9100`. */
  readonly endpoint: string;
  readonly credentials: AkSkCredentials;
  /** Upstream keep-alive connections. @default 16 */
  readonly connections?: number;
}

/** A running baseline server. */
export interface BaselineServer {
  /** The URL to POST GraphQL-shaped requests to. */
  readonly url: string;
  close(): Promise<void>;
}

// One url-tasks record as the upstream sends it (not validated: this baseline trusts the upstream).
interface WireRecord {
  id: number;
  url: string;
  status: string;
  type: string;
  task_id: number;
  modify_time: number;
  create_time: number;
  file_type: string;
  mode?: string;
}

const PATH = '/v1.0/cdn/contentgateway/url-tasks';

/** Converts an upstream record to the gateway's UrlTask JSON (every scalar field, in selection order). */
export function toUrlTaskJson(r: WireRecord): Record<string, string | null> {
  return {
    id: Buffer.from(`UrlTask:${r.task_id}:${r.id}:${r.create_time}`, 'utf8').toString('base64url'),
    url: r.url,
    status: r.status.toUpperCase(),
    type: r.type.toUpperCase(),
    taskId: String(r.task_id),
    createdAt: new Date(r.create_time).toISOString(),
    modifiedAt: new Date(r.modify_time).toISOString(),
    fileType: r.file_type.toUpperCase(),
    mode: r.mode ? r.mode.toUpperCase() : null,
  };
}

/** Starts the pass-through server on `port` (0 = any free port). */
export async function startPassthrough(options: PassthroughOptions, port = 0): Promise<BaselineServer> {
  const origin = new URL(options.endpoint);
  const pool = new Pool(origin.origin, { connections: options.connections ?? 16, pipelining: 1 });
  const server: Server = createServer((req, res) => {
    serve(req)
      .then((body) => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(body);
      })
      .catch((err: unknown) => {
        res.statusCode = 502;
        res.end(JSON.stringify({ errors: [{ message: err instanceof Error ? err.message : String(err) }] }));
      });
  });

  // Reads the request, calls the upstream once and answers the page.
  async function serve(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: { first: number; after: number; before: number } };
    const query = { start_time: variables.after, end_time: variables.before, offset: 0, limit: variables.first };
    const signed = signRequest({ method: 'GET', host: origin.host, path: PATH, query, headers: { 'content-type': 'application/json' } }, options.credentials);
    const { statusCode, body } = await pool.request({ method: 'GET', path: signed.pathAndQuery, headers: signed.headers });
    const text = await body.text();
    if (statusCode !== 200) throw new Error(`upstream answered ${statusCode}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text) as { result: WireRecord[] };
    return JSON.stringify({ data: { urlTasks: { nodes: page.result.map(toUrlTaskJson) } } });
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

if (require.main === module) {
  const endpoint = process.env.CDN_ENDPOINT;
  if (!endpoint) throw new Error('CDN_ENDPOINT must name the upstream, e.g. http://127.0.0.1:9100');
  startPassthrough(
    {
      endpoint,
      credentials: { ak: process.env.SIMULATOR_AK ?? DEFAULT_SIMULATOR_AK, sk: process.env.SIMULATOR_SK ?? DEFAULT_SIMULATOR_SK },
      connections: Number(process.env.UPSTREAM_CONNECTIONS ?? 16),
    },
    Number(process.env.PORT ?? 0),
  )
    .then((s) => process.stdout.write(`passthrough baseline at ${s.url}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`passthrough baseline failed to start: ${String(err)}\n`);
      process.exit(1);
    });
}
