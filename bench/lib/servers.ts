/**
 * Starts the bench's servers as separate Node processes (TypeScript through tsx), so that
 * /proc measures each one alone and none shares the load generator's event loop. Output goes
 * to a log file per server; `stop` ends exactly the process it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = resolve(__dirname, '..', '..');

/** A server process the bench started. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** How to start one server process. */
export interface ServerSpec {
  readonly name: string;
  /** The entry point, relative to the repository root (or absolute): TypeScript runs through tsx, JavaScript as is. */
  readonly script: string;
  /** Environment over the bench's own (PORT is added). */
  readonly env: Record<string, string>;
  /** Extra Node options (e.g. `--cpu-prof`). @default none */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for the port to accept connections (tsx compiles the gateway first: slow on a busy machine). @default 120000 */
  readonly startTimeoutMs?: number;
}

/** Finds a free loopback port (the OS picks one; it is released at once for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Starts a server process and resolves once its port accepts connections. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const port = await freePort();
  const logFile = join(tmpdir(), `cdn-bench-${spec.name}-${process.pid}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), ...(spec.script.endsWith('.ts') ? ['--import', 'tsx'] : []), resolve(ROOT, spec.script)], {
    cwd: ROOT,
    env: { ...process.env, ...spec.env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await waitForPort(port, child, spec.startTimeoutMs ?? 120_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${spec.name} did not start: ${(err as Error).message}\n--- ${logFile} ---\n${tail(logFile)}`);
  }
  return {
    name: spec.name,
    pid: child.pid as number,
    port,
    origin: `http://127.0.0.1:${port}`,
    logFile,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Polls the port until it accepts a connection, failing early when the child exits.
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}

// Tells whether a loopback port accepts a TCP connection.
function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

// The last lines of a log file, for a start failure.
function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
