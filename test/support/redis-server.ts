/**
 * A throwaway `redis-server` for tests: started on a free loopback port without persistence,
 * stopped by the test. `findRedisServer()` tells whether the binary is installed at all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** A running redis-server. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Tells whether `redis-server` is on PATH. */
export function findRedisServer(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Defines a suite that needs redis-server: `suite` when it is on PATH, otherwise one test that
 * says loudly what did not run and how to run it (a missing binary must not pass silently).
 */
export function describeWithRedis(what: string, file: string, suite: () => void): void {
  const installed = findRedisServer();
  if (installed) return suite();
  it(`DID NOT RUN: ${what} need redis-server on PATH (Debian package redis-server)`, () => {
    console.warn(`\n*** ${what} (${file}) DID NOT RUN: redis-server is not on PATH. Install it (apt-get install -y redis-server) to test them. ***\n`);
    expect(installed).toBe(false);
  });
}

/** Starts redis-server on a free loopback port (or on `port`, to bring a stopped one back at its address) and resolves once it accepts connections. */
export async function startRedisServer(options: { readonly port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForReady(child);
  let exited: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      exited ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      return exited;
    },
  };
}

// Resolves when the server logs that it is ready; rejects when it exits first or takes too long.
function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not become ready within 15 s:\n${output}`));
    }, 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}

// Asks the OS for a free loopback port.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
