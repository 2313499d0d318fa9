/**
 * The bench's OTLP sink, run as its own process so that receiving spans costs neither the
 * gateways nor the load generator: a loopback node:http server that accepts OTLP/HTTP JSON
 * exports on `POST /v1/traces`, counts their spans by `service.name` and discards them, and
 * answers `GET /stats` with what it counted. Gateways measured with tracing on export here
 * (`$OTLP_SINK` in BENCH_VARIANTS, see bench/run.ts), as they would to a collector.
 *
 * `PORT=… node --import tsx bench/lib/otlp-sink.ts`
 */
import { createServer } from 'node:http';

/** What the sink received so far. */
export interface SinkStats {
  readonly exports: number;
  readonly bytes: number;
  /** Spans received, by the `service.name` of their resource. */
  readonly spans: Readonly<Record<string, number>>;
  /** Bodies that were not OTLP/JSON (answered 400). */
  readonly refused: number;
}

// The parts of an OTLP/JSON export the sink reads.
interface Export {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value?: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: unknown[] }>;
  }>;
}

/** Counts the spans of one OTLP/JSON export body by service name (a resource without one counts as `unknown`). */
export function countSpans(body: string): Record<string, number> {
  const parsed = JSON.parse(body) as Export;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.resourceSpans)) throw new Error('not an OTLP/JSON trace export');
  const counts: Record<string, number> = {};
  for (const rs of parsed.resourceSpans) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? 'unknown';
    const n = (rs.scopeSpans ?? []).reduce((sum, ss) => sum + (ss.spans?.length ?? 0), 0);
    counts[service] = (counts[service] ?? 0) + n;
  }
  return counts;
}

/** Adds one export's counts to the totals. */
export function addCounts(totals: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [service, n] of Object.entries(counts)) totals[service] = (totals[service] ?? 0) + n;
}

if (require.main === module) {
  const stats = { exports: 0, bytes: 0, spans: {} as Record<string, number>, refused: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/stats') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats satisfies SinkStats));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      try {
        addCounts(stats.spans, countSpans(body.toString('utf8')));
      } catch {
        stats.refused++;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"not an OTLP/JSON trace export"}');
        return;
      }
      stats.exports++;
      stats.bytes += body.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write(`bench OTLP sink on port ${JSON.stringify(server.address())}\n`));
}
