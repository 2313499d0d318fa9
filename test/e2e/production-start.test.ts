/**
 * The image's start command on what the image holds: the Dockerfile's CMD and ENV (read from the
 * Dockerfile, so the test follows it) run from a folder laid out as the image's /app, with dist/
 * built by scripts/build.mjs and the production dependencies only: no tsx, TypeScript or SWC.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../support/eventually';
import { layOutImage, readImageEntry, type ImageEntry } from './support/image';
import { ROOT, spawnGateway } from './support/process';

describe('the image start command, production dependencies only', () => {
  let app: string;
  let entry: ImageEntry;
  let packages: string[];

  beforeAll(async () => {
    entry = readImageEntry(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    app = mkdtempSync(join(tmpdir(), 'gateway-image-'));
    packages = await layOutImage(ROOT, app);
  });

  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('holds no TypeScript toolchain: tsx, typescript and @swc/core are development dependencies', () => {
    expect(packages).toContain('node_modules/graphql');
    for (const dev of ['tsx', 'typescript', '@swc/core', 'esbuild']) {
      expect(packages).not.toContain(`node_modules/${dev}`);
      expect(existsSync(join(app, 'node_modules', dev))).toBe(false);
    }
    expect(entry.cmd.join(' ')).not.toMatch(/tsx|\.ts\b/);
  });

  it('serves GraphQL against the embedded simulator and turns ready', async () => {
    const [file, ...args] = entry.cmd;
    // The Dockerfile's environment, with the address narrowed to loopback and free ports for the test.
    const gateway = await spawnGateway(
      { ...entry.env, HOST: '127.0.0.1', PORT: '0', SIMULATOR_PORT: '0' },
      { command: { file: file === 'node' ? process.execPath : file!, args, cwd: app }, readyTimeoutMs: 60_000 },
    );
    try {
      await eventually(async () => expect((await fetch(gateway.url.replace('/graphql', '/readyz'))).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 });
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ urlTasks(first: 3) { nodes { url status } } }' }),
      });
      const body = (await res.json()) as { data?: { urlTasks: { nodes: Array<{ url: string; status: string }> } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.urlTasks.nodes).toHaveLength(3);
      expect(body.data?.urlTasks.nodes[0]?.url).toMatch(/^https?:\/\//);
    } finally {
      const exit = await gateway.stop();
      expect(exit.code).toBe(0);
    }
  });

  it("keeps stack traces pointing at the TypeScript sources with the image's node options", async () => {
    const nodeFlags = entry.cmd.slice(1).filter((arg) => arg.startsWith('--'));
    const script = "try { require('./dist/src/config.js').loadConfig({ PORT: 'eighty' }) } catch (err) { process.stdout.write(err.stack) }";
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, '-e', script], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...entry.env },
    });
    expect(stdout).toContain('PORT:');
    expect(stdout).toMatch(/\bsrc\/config\.ts:\d+:\d+/);
  });
});
