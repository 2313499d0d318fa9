/**
 * The CPU profile summary (bench/lib/cpuprofile-top.ts): self time per function from V8's
 * samples and time deltas, the start-up left out on request, totals by module, and the tables.
 */
import { byModule, formatTop, moduleOf, selfTimes, type CpuProfile } from '../../bench/lib/cpuprofile-top';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '1' });

// root → main → { convert (twice in the tree: two call sites), (garbage collector), (idle) }
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1) },
    { id: 2, callFrame: frame('main', 'file:///app/src/main.js', 9) },
    { id: 3, callFrame: frame('toUrlTaskModel', 'file:///app/src/cdn/convert.js', 20) },
    { id: 4, callFrame: frame('toUrlTaskModel', 'file:///app/src/cdn/convert.js', 20) },
    { id: 5, callFrame: frame('(garbage collector)', '') },
    { id: 6, callFrame: frame('(idle)', '') },
    { id: 7, callFrame: frame('', 'file:///app/node_modules/@apollo/server/dist/cjs/runHttpQuery.js', 79) },
    { id: 8, callFrame: frame('compileQuery', 'file:///app/node_modules/graphql-jit/dist/execution.js', 100) },
  ],
  // A sample lasts until the next one: time deltas are µs since the previous sample.
  samples: [2, 3, 4, 5, 6, 7, 8, 3],
  timeDeltas: [0, 1000, 3000, 2000, 500, 7000, 1500, 250],
};

describe('selfTimes', () => {
  it("gives each sample the time until the next one, and adds a function's nodes together", () => {
    const times = selfTimes(PROFILE);
    const ms = (name: string) => times.find((t) => t.functionName === name)?.selfMs;
    expect(ms('main')).toBe(1);
    // 3 ms at one call site, 2 ms at another, and the last sample, whose length is unknown, nothing.
    expect(ms('toUrlTaskModel')).toBe(5);
    expect(ms('(garbage collector)')).toBe(0.5);
    expect(ms('(idle)')).toBe(7);
    expect(ms('(anonymous)')).toBe(1.5);
    expect(ms('compileQuery')).toBe(0.25);
    expect(times.map((t) => t.selfMs)).toEqual([...times.map((t) => t.selfMs)].sort((a, b) => b - a));
    expect(times.find((t) => t.functionName === 'toUrlTaskModel')).toMatchObject({ url: 'file:///app/src/cdn/convert.js', line: 21 });
  });

  it('leaves out the samples of the first skipMs (the start-up)', () => {
    // Samples are at 0, 1, 4, 6, 6.5, 13.5, 15 and 15.25 ms.
    const times = selfTimes(PROFILE, 5);
    expect(times.map((t) => t.functionName).sort()).toEqual(['(anonymous)', '(garbage collector)', '(idle)', 'compileQuery', 'toUrlTaskModel']);
    expect(times.find((t) => t.functionName === 'toUrlTaskModel')?.selfMs).toBe(0);
  });

  it('refuses what is not a profile', () => {
    expect(() => selfTimes({ ...PROFILE, timeDeltas: [0] })).toThrow('8 samples but 1 time deltas');
    expect(() => selfTimes({ ...PROFILE, samples: [...PROFILE.samples.slice(1), 99] })).toThrow('names node 99');
    expect(() => selfTimes(PROFILE, -1)).toThrow('skipMs must be a number ≥ 0');
  });
});

describe('modules', () => {
  it('names a package, a file of the project, Node or V8', () => {
    expect(moduleOf('file:///app/node_modules/@apollo/server/dist/cjs/x.js')).toBe('@apollo/server');
    expect(moduleOf('file:///app/node_modules/a/node_modules/graphql/execution/execute.js')).toBe('graphql');
    expect(moduleOf('file:///work/repo/src/cdn/convert.ts')).toBe('src/cdn/convert.ts');
    expect(moduleOf('/work/repo/dist/src/cdn/convert.js')).toBe('dist/src/cdn/convert.js');
    expect(moduleOf('node:internal/streams/writable')).toBe('node:internal');
    expect(moduleOf('')).toBe('(v8)');
  });

  it('sums self time by module, V8 entries by their own names', () => {
    expect(byModule(selfTimes(PROFILE))).toEqual([
      { module: '(idle)', selfMs: 7 },
      { module: 'src/cdn/convert.js', selfMs: 5 },
      { module: '@apollo/server', selfMs: 1.5 },
      { module: 'src/main.js', selfMs: 1 },
      { module: '(garbage collector)', selfMs: 0.5 },
      { module: 'graphql-jit', selfMs: 0.25 },
    ]);
  });
});

describe('formatTop', () => {
  it('lists the top functions and modules with their share of the busy (non-idle) time', () => {
    const text = formatTop(selfTimes(PROFILE), 2);
    expect(text).toContain('Busy (non-idle) time: 8 ms.');
    expect(text).toContain('| 1 | `toUrlTaskModel` | src/cdn/convert.js:21 | 5 | 60.6 % |');
    expect(text).toContain('| 2 | `(anonymous)` | @apollo/server:80 | 2 | 18.2 % |');
    expect(text).not.toContain('(idle)');
    expect(text).not.toContain('`main`');
    expect(text).toContain('| src/cdn/convert.js | 5 | 60.6 % |');
  });
});
