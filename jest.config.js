/** Jest: TypeScript through SWC (type checking is `npm run typecheck`), tests by layer under test/. */
const { availableParallelism } = require('node:os');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // A safety net, not a measure: on a busy 2-core machine a child-process or 200-run fuzz test can take
  // well over 30 s, and no test may fail for being slow.
  testTimeout: 120000,
  // Most test files wait on loopback I/O and child processes rather than compute: at least two
  // workers even on two cores (jest's default there is one, which runs the files one by one).
  maxWorkers: Math.max(2, availableParallelism()),
  // A worker that has grown past this (large data sets, Chromium, gateways) is replaced before its next file.
  workerIdleMemoryLimit: '768MB',
};
