/**
 * `tsx bench/per-record.ts`: the CPU cost of one page of 100 records inside the gateway, next
 * to what the pass-through (B2) does with the same page, in one process, without HTTP.
 *
 * The gateway side runs S1's query, compiled by graphql-jit as the gateway compiles it, over the
 * schema's own resolvers, with a context whose url-tasks call hands the same upstream body to
 * the real endpoint code (JSON.parse as classification does, validation, conversion), through
 * the connection planner, and serializes the result with JSON.stringify as Apollo does. The B2
 * side is the pass-through's own conversion: JSON.parse, `toUrlTaskJson` per record,
 * JSON.stringify. What neither side does here (HTTP, Apollo's request pipeline, signing, the
 * upstream stages, logs) is the per-request overhead; this is the per-record path alone.
 *
 * The two alternate in blocks, so that a busy machine slows both alike: read the ratio.
 * Settings: PER_RECORD_ROUNDS (15) blocks each, PER_RECORD_PAGES (200) pages per block;
 * PER_RECORD_ONLY=gateway runs the gateway's side alone (to profile it with `--cpu-prof`).
 */
import { parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { fetchUrlTasks, type EndpointContext } from '../src/cdn/endpoints';
import { createContext, type CdnApi } from '../src/graph/context';
import { createCreateQuota } from '../src/graph/create-quota';
import { createIdempotentRunner } from '../src/graph/idempotency';
import { createSchema } from '../src/graph/schema';
import { createLogger } from '../src/logger';
import { toUrlTaskJson } from './baselines/passthrough';
import { median } from './lib/figures';
import { pageQuery } from './lib/scenarios';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 8);
const STATUSES = ['SUCCEED', 'FAILED', 'REFRESHING', 'WAITING', 'PROCESSING', 'SUCCEED'];

/** Builds an upstream url-tasks body of `n` records, 10 per task, newest (largest id) first, like the bench's data. */
export function pageBody(n = 100): string {
  const result = Array.from({ length: n }, (_, i) => {
    const t = Math.floor(i / 10);
    const directory = t % 3 === 0;
    return {
      id: 900_000 - i,
      url: `https://www.example.com/assets/${directory ? `dir-${t}/` : `file-${t}-${i}.js`}`,
      status: STATUSES[t % STATUSES.length],
      type: directory || t % 2 === 0 ? 'REFRESH' : 'PREHEATING',
      task_id: 41_000 + t,
      modify_time: T0 + 60_000 + i * 1000 + 500,
      create_time: T0 + 60_000 + (n - i) * 10,
      file_type: directory ? 'directory' : 'file',
      ...(directory ? { mode: 'all' } : {}),
    };
  });
  return JSON.stringify({ total: n, count: n, result });
}

async function main(): Promise<void> {
  const rounds = Number(process.env.PER_RECORD_ROUNDS ?? 15);
  const pages = Number(process.env.PER_RECORD_PAGES ?? 200);
  const body = pageBody(100);
  const schema = createSchema();
  const compiled = compileQuery(schema, parse(pageQuery(false)));
  if (!isCompiledQuery(compiled)) throw new Error(`S1's query does not compile: ${JSON.stringify(compiled.errors)}`);
  const endpoint: EndpointContext = {
    handler: async () => ({ status: 200, headers: {}, body, json: JSON.parse(body) as unknown }),
    now: () => T0 + 24 * HOUR,
    timeoutMs: 10_000,
  };
  const cdn = { urlTasks: (params, opts) => fetchUrlTasks(endpoint, params, opts) } as CdnApi;
  const logger = createLogger('silent');
  const variables = { first: 100, after: T0, before: T0 + HOUR };
  const config = { defaultPageSize: 20, maxPageSize: 500, maxRangeDays: 30, cursorSecret: 'per-record-cursor-secret-0123456789' };

  // What the gateway holds once, not per request (the stores, and here one request's signal).
  const shared = {
    signal: new AbortController().signal,
    idempotency: createIdempotentRunner({ ttlMs: HOUR, maxKeys: 100, now: endpoint.now }),
    createQuota: createCreateQuota({ caps: { files: 0, directories: 0, preheats: 0 }, now: endpoint.now }),
  };
  const gatewayPage = async () => {
    const context = createContext({ requestId: 'r', deadline: T0 + 25 * HOUR, cdn, config, now: endpoint.now, logger, ...shared });
    const result = await compiled.query(undefined, context, variables);
    if (result.errors) throw new Error(`S1 failed: ${JSON.stringify(result.errors)}`);
    return JSON.stringify(result);
  };
  const passthroughPage = async () => {
    const page = JSON.parse(body) as { result: Parameters<typeof toUrlTaskJson>[0][] };
    return JSON.stringify({ data: { urlTasks: { nodes: page.result.map(toUrlTaskJson) } } });
  };
  // Same data out of both, or the comparison means nothing.
  if ((await gatewayPage()) !== (await passthroughPage())) throw new Error(`the two sides answer differently:\n${(await gatewayPage()).slice(0, 300)}\n${(await passthroughPage()).slice(0, 300)}`);

  const block = async (page: () => Promise<string>) => {
    const started = process.cpuUsage();
    for (let i = 0; i < pages; i++) await page();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / pages;
  };
  if (process.env.PER_RECORD_ONLY === 'gateway') {
    // For a profile of the gateway's side alone: `node --cpu-prof --import tsx bench/per-record.ts`.
    for (let r = 0; r < rounds; r++) await block(gatewayPage);
    return;
  }
  for (let i = 0; i < 3; i++) await Promise.all([block(gatewayPage), block(passthroughPage)]);
  const gateway: number[] = [];
  const passthrough: number[] = [];
  for (let r = 0; r < rounds; r++) {
    gateway.push(await block(gatewayPage));
    passthrough.push(await block(passthroughPage));
  }
  const g = median(gateway);
  const p = median(passthrough);
  process.stdout.write(
    `per page of 100 records (CPU µs, median of ${rounds} blocks of ${pages}): gateway ${g.toFixed(0)}, pass-through ${p.toFixed(0)}, ratio ${(g / p).toFixed(2)}\n` +
      `per record: gateway ${(g / 100).toFixed(2)} µs, pass-through ${(p / 100).toFixed(2)} µs\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`per-record bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
