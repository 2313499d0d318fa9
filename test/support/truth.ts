/**
 * Ground truth for connection tests: every record of a range, read straight from the
 * simulator's url-tasks API (24-hour windows, limit 100), independently of the gateway's
 * pagination code.
 */
import type { CdnClient } from '../../src/cdn/client';
import { createCdnClient } from '../../src/cdn/upstream';
import type { UrlTaskModel } from '../../src/cdn/models';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a client that talks to the simulator directly. */
export function createTruthClient(simulatorUrl: string): CdnClient {
  return createCdnClient({ endpoint: simulatorUrl, auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK } });
}

/** Returns every record with create_time in [start, end) matching the filter, newest window first, id descending within a window. */
export async function readAllRecords(
  client: CdnClient,
  start: number,
  end: number,
  filter: { status?: string; taskType?: 'REFRESH' | 'PREHEATING'; fileType?: 'file' | 'directory'; url?: string } = {},
): Promise<UrlTaskModel[]> {
  const all: UrlTaskModel[] = [];
  for (let windowEnd = end; windowEnd > start; windowEnd -= DAY_MS) {
    const windowStart = Math.max(start, windowEnd - DAY_MS);
    for (let offset = 0; ; offset += 100) {
      const page = await client.urlTasks({ ...filter, startTime: windowStart, endTime: windowEnd, offset, limit: 100 });
      all.push(...page.records);
      if (offset + 100 >= page.total) break;
    }
  }
  return all;
}
