/**
 * `npm test`: the type check, the generated-code freshness checks (resolver types, client SDL)
 * and jest, run at the same time (the checks use a core while jest's workers wait on loopback
 * I/O). Jest's output streams as it runs; each check's output is printed whole, under its name,
 * when it ends. Exits 1 when any part fails, naming it. Arguments go to jest (`npm test -- test/unit`).
 */
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };

// Runs a command; streamed output goes through as it comes, otherwise it is kept and printed when the command ends.
function run(name, command, args, { stream = false } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, env, stdio: stream ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout?.on('data', (chunk) => chunks.push(chunk));
    child.stderr?.on('data', (chunk) => chunks.push(chunk));
    const finish = (code, error) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      const output = Buffer.concat(chunks).toString().trimEnd();
      process.stdout.write(`\n── ${name}: ${ok ? 'passed' : error ? `could not start (${error.message})` : `FAILED (exit ${code})`} in ${seconds} s ──\n${output ? `${output}\n` : ''}`);
      resolve({ name, ok });
    };
    child.once('error', (error) => finish(null, error));
    child.once('close', (code) => finish(code));
  });
}

const results = await Promise.all([
  run('typecheck (tsc --noEmit)', 'tsc', ['--noEmit']),
  run('codegen:check (graphql-codegen --check)', 'graphql-codegen', ['--check']),
  run('sdl:check (schema/generated/client.graphql)', 'tsx', ['scripts/client-sdl.ts', '--check']),
  run('jest', 'jest', process.argv.slice(2), { stream: true }),
]);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
process.stdout.write(failed.length === 0 ? '\nnpm test: every part passed.\n' : `\nnpm test: FAILED: ${failed.join(', ')}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
