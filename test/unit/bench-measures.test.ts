/**
 * What the bench measures and asks: /proc parsing (CPU ticks, resident memory), the bench
 * data (a page of 100 spans exactly 10 tasks), the S1 query (every scalar field of UrlTask,
 * read from the schema), the per-request variation and the cheap body checks.
 */
import { GraphQLObjectType, GraphQLScalarType, GraphQLEnumType, getNamedType, buildASTSchema } from 'graphql';
import { parseStatCpuMs, parseStatusMemory, readProcess } from '../../bench/lib/proc';
import { BENCH_TASKS, RECORDS_PER_TASK, URL_TASK_SCALARS, countOccurrences, definePhases, planBenchData, rangeOf, variantOf } from '../../bench/lib/scenarios';
import { loadTypeDefs } from '../../src/graph/schema';

describe('/proc parsing', () => {
  // A command name with spaces and parentheses, as `comm` may hold.
  const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 12 0 100 0 0';

  it('adds utime and stime, counted after the command name, in ms', () => {
    expect(parseStatCpuMs(stat, 100)).toBe((1234 + 567) * 10);
    expect(parseStatCpuMs(stat, 1000)).toBe(1234 + 567);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseStatCpuMs('garbage', 100)).toThrow('not a /proc/<pid>/stat line');
    expect(() => parseStatCpuMs('1 (x) S 1', 100)).toThrow('no utime/stime');
  });

  it('reads VmRSS and VmHWM in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  131072 kB\nVmRSS:\t   65536 kB\nThreads:\t12\n';
    expect(parseStatusMemory(status)).toEqual({ rssBytes: 65536 * 1024, peakRssBytes: 131072 * 1024 });
    expect(() => parseStatusMemory('Name:\tnode\n')).toThrow('no VmRSS line');
  });

  it('reads this process', () => {
    const sample = readProcess(process.pid);
    expect(sample.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(sample.peakRssBytes).toBeGreaterThanOrEqual(sample.rssBytes);
    expect(sample.cpuMs).toBeGreaterThan(0);
  });
});

describe('bench data and phases', () => {
  const wallNow = Date.UTC(2026, 10, 25, 18, 30, 12, 345);
  const data = planBenchData(wallNow, 3);
  const phases = definePhases(data);

  it('freezes the data clock on a whole minute four days back and inserts 12 tasks of 10 records at the start of each hour after it', () => {
    expect(data.simNow).toBe(Date.UTC(2026, 10, 21, 18, 30));
    expect(data.inserts).toHaveLength(3 * BENCH_TASKS);
    for (let w = 0; w < 3; w++) {
      const hour = data.inserts.slice(w * BENCH_TASKS, (w + 1) * BENCH_TASKS);
      // Every request's range over hour w holds exactly that hour's tasks, whatever the counter.
      for (const i of [w, w + 3, w + 999_999]) {
        const { after, before } = rangeOf(data, i);
        expect(hour.every((t) => (t.createTime as number) >= after && (t.createTime as number) < before)).toBe(true);
        expect(data.inserts.filter((t) => (t.createTime as number) >= after && (t.createTime as number) < before)).toHaveLength(BENCH_TASKS);
        expect(before).toBeLessThan(wallNow);
      }
    }
    expect(data.inserts.every((t) => t.count === RECORDS_PER_TASK)).toBe(true);
    // Newest first, a page of 100 is the 10 newest tasks of the hour, whole.
    expect(BENCH_TASKS * RECORDS_PER_TASK).toBeGreaterThan(100);
    expect(new Set(data.inserts.map((i) => i.fileType))).toEqual(new Set(['file', 'directory']));
    expect(() => planBenchData(wallNow, 0)).toThrow('windows must be an integer from 1 to 72');
  });

  it('asks S1 for every scalar (leaf) field of UrlTask in the schema', () => {
    const schema = buildASTSchema(loadTypeDefs(), { assumeValidSDL: true });
    const urlTask = schema.getType('UrlTask') as GraphQLObjectType;
    const leaves = Object.values(urlTask.getFields())
      .filter((f) => {
        const type = getNamedType(f.type);
        return type instanceof GraphQLScalarType || type instanceof GraphQLEnumType;
      })
      .map((f) => f.name);
    expect(URL_TASK_SCALARS.split(' ').sort()).toEqual(leaves.sort());
  });

  it('sends consecutive requests to consecutive hours, each with its own range end, so no two concurrent requests share a call', () => {
    const bodies = [0, 1, 2, 3].map((i) => JSON.parse(phases.S1!.request(i, 'h').body as string) as { variables: { first: number; after: number; before: number } });
    const HOUR = 3_600_000;
    expect(bodies.map((b) => b.variables.after)).toEqual([data.after, data.after + HOUR, data.after + 2 * HOUR, data.after]);
    expect(bodies.map((b) => b.variables.before)).toEqual([data.before, data.before + HOUR + 1, data.before + 2 * HOUR + 2, data.before + 3]);
    expect(bodies.every((b) => b.variables.first === 100)).toBe(true);
    expect(JSON.parse(phases.S3!.request(0, 'h').body as string).variables.first).toBe(20);
  });

  it('signs the simulator request once a minute, not once per request', () => {
    const first = phases.B1!.request(0, '127.0.0.1:9100');
    expect(phases.B1!.request(1, '127.0.0.1:9100')).toBe(first);
    expect(first.path).toContain('limit=100');
    expect(first.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=/);
  });

  it('checks answer bodies cheaply: no errors, the right number of records, the task when asked', () => {
    const record = '{"id":"x","url":"u","status":"SUCCEED"}';
    const page = (n: number, extra = '') => `{"data":{"urlTasks":{"nodes":[${Array.from({ length: n }, () => record.replace('}', `${extra}}`)).join(',')}]}}}`;
    expect(phases.S1!.verify(page(100))).toBe(true);
    expect(phases.S1!.verify(page(99))).toBe(false);
    expect(phases.S1!.verify(`${page(100).slice(0, -1)},"errors":[{"message":"x"}]}`)).toBe(false);
    expect(phases.S2!.verify(page(100))).toBe(false);
    expect(phases.S2!.verify(page(100, ',"task":{"total":10}'))).toBe(true);
    expect(phases.S4!.verify('{"data":{"__typename":"Query"}}\n')).toBe(true);
    expect(phases.S4!.verify('{"errors":[]}')).toBe(false);
  });

  it('counts occurrences without overlap, and copies a gateway phase onto a variant', () => {
    expect(countOccurrences('aaaa', 'aa')).toBe(2);
    expect(countOccurrences('abc', 'x')).toBe(0);
    expect(variantOf(phases.S1!, 'jit')).toMatchObject({ id: 'S1[jit]', server: 'gateway[jit]', minUpstreamCalls: 1 });
  });
});
