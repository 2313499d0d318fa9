/**
 * `tsx bench/lib/cpuprofile-top.ts FILE.cpuprofile [TOP] [SKIP_MS]`: the functions that spent the most
 * self time in a V8 CPU profile (`node --cpu-prof`), and the same time by module (a package
 * under node_modules, a file of the project, or Node's internals), as Markdown tables.
 *
 * The arithmetic is pure (`selfTimes`, `byModule`, `formatTop`): a sample's time is the gap
 * to the next sample (V8's `timeDeltas`), as Chrome's profiler panel counts it, and idle time
 * (the event loop waiting) is left out of the percentages.
 */
import { readFileSync } from 'node:fs';

/** The parts of a `.cpuprofile` (V8's `Profile` object) this module reads. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function (all its nodes in the call tree together). */
export interface SelfTime {
  /** `(anonymous)` for a nameless function; V8's own entries keep their names: `(garbage collector)`, `(program)`, `(idle)`. */
  readonly functionName: string;
  /** The script's URL or path as V8 saw it; empty for V8's own entries. */
  readonly url: string;
  /** 1-based line of the function's start; 0 when unknown. */
  readonly line: number;
  readonly selfMs: number;
}

/** Entries that are not JavaScript running: left out of the share of CPU time. */
export const IDLE_ENTRIES: ReadonlySet<string> = new Set(['(idle)', '(root)']);

/**
 * Sums self time by function (name, script and line), largest first. Samples taken in the
 * first `skipMs` of the profile are left out (the start-up: module loading, tsx compiling).
 */
export function selfTimes(profile: CpuProfile, skipMs = 0): SelfTime[] {
  const { nodes, samples, timeDeltas } = profile;
  if (samples.length !== timeDeltas.length) throw new RangeError(`not a CPU profile: ${samples.length} samples but ${timeDeltas.length} time deltas`);
  if (!(skipMs >= 0)) throw new RangeError(`skipMs must be a number ≥ 0; got ${skipMs}`);
  const byNode = new Map(nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  let atUs = 0;
  for (let i = 0; i < samples.length; i++) {
    atUs += timeDeltas[i] as number;
    if (atUs < skipMs * 1000) continue;
    // A sample lasts until the next one; the last one's length is unknown and counted as nothing.
    const us = i + 1 < samples.length ? Math.max(0, timeDeltas[i + 1] as number) : 0;
    const node = byNode.get(samples[i] as number);
    if (!node) throw new RangeError(`not a CPU profile: sample ${i} names node ${samples[i]}, which is not in the tree`);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName}\0${url}\0${lineNumber}`;
    const previous = totals.get(key);
    totals.set(key, { functionName: functionName || '(anonymous)', url, line: lineNumber >= 0 ? lineNumber + 1 : 0, selfMs: (previous?.selfMs ?? 0) + us / 1000 });
  }
  return [...totals.values()].sort((a, b) => b.selfMs - a.selfMs || a.functionName.localeCompare(b.functionName));
}

/** Names the module a script belongs to: `graphql-jit` for node_modules/graphql-jit/…, `src/graph/scalars.ts` for the project, `node:internal` for Node, `(v8)` for V8's entries. */
export function moduleOf(url: string): string {
  if (url === '') return '(v8)';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [scope, name] = path.slice(nm + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') && name ? `${scope}/${name}` : (scope ?? path);
  }
  const project = path.search(/\/(src|bench|test|scripts|dist)\//);
  return project >= 0 ? path.slice(project + 1) : path;
}

/** Sums self times by module (`moduleOf`), largest first. */
export function byModule(times: readonly SelfTime[]): Array<{ readonly module: string; readonly selfMs: number }> {
  const totals = new Map<string, number>();
  for (const t of times) {
    const module = IDLE_ENTRIES.has(t.functionName) ? t.functionName : t.url === '' ? t.functionName : moduleOf(t.url);
    totals.set(module, (totals.get(module) ?? 0) + t.selfMs);
  }
  return [...totals].map(([module, selfMs]) => ({ module, selfMs })).sort((a, b) => b.selfMs - a.selfMs || a.module.localeCompare(b.module));
}

/** Formats the top `top` functions and modules as Markdown tables, with shares of the busy (non-idle) time. */
export function formatTop(times: readonly SelfTime[], top = 15): string {
  const busy = times.filter((t) => !IDLE_ENTRIES.has(t.functionName)).reduce((sum, t) => sum + t.selfMs, 0);
  const share = (ms: number) => (busy > 0 ? `${((100 * ms) / busy).toFixed(1)} %` : '–');
  const where = (t: SelfTime) => (t.url === '' ? '–' : `${moduleOf(t.url)}${t.line > 0 ? `:${t.line}` : ''}`);
  const functions = times.filter((t) => !IDLE_ENTRIES.has(t.functionName)).slice(0, top);
  const modules = byModule(times).filter((m) => !IDLE_ENTRIES.has(m.module)).slice(0, top);
  return [
    `Busy (non-idle) time: ${busy.toFixed(0)} ms.`,
    '',
    '| # | function | where | self ms | share |',
    '|--:|---|---|--:|--:|',
    ...functions.map((t, i) => `| ${i + 1} | \`${t.functionName}\` | ${where(t)} | ${t.selfMs.toFixed(0)} | ${share(t.selfMs)} |`),
    '',
    '| module | self ms | share |',
    '|---|--:|--:|',
    ...modules.map((m) => `| ${m.module} | ${m.selfMs.toFixed(0)} | ${share(m.selfMs)} |`),
  ].join('\n');
}

if (require.main === module) {
  const [file, top, skipMs] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/lib/cpuprofile-top.ts FILE.cpuprofile [TOP (15)] [SKIP_MS (0): leave out the first ms, the start-up]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatTop(selfTimes(profile, skipMs ? Number(skipMs) : 0), top ? Number(top) : 15)}\n`);
}
