/**
 * Runs the real entry point (`node --import tsx src/main.ts`, `npm start`, or a command given
 * whole, such as the image's) as a child process with a clean environment, reads its JSON log
 * lines, and stops it with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..', '..');

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running gateway process. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  /** URL of `/graphql`, from the "ready" log line. */
  readonly url: string;
  /** Milliseconds from spawn to the "ready" line. */
  readonly startupMs: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Sends a signal (to the whole process group for `npm start`) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** A command line to run as it is, from a folder. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Options of `spawnGateway`. */
export interface SpawnOptions {
  /** `node` runs `node --import tsx src/main.ts`; `npm` runs `npm start` (which builds dist/ first when stale); or a `Command`. @default 'node' */
  readonly command?: 'node' | 'npm' | Command;
  /** How long to wait for the ready line. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** Spawns the gateway with only `env` (plus PATH and HOME) and resolves once it logs that it is ready. */
export async function spawnGateway(env: Record<string, string>, options: SpawnOptions = {}): Promise<GatewayProcess> {
  const started = Date.now();
  const { child, output, exited } = spawnEntry(env, options.command ?? 'node');
  const lines = () =>
    output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`gateway not ready within ${options.readyTimeoutMs ?? 30000} ms:\n${output()}`)), options.readyTimeoutMs ?? 30000);
    const poll = setInterval(() => {
      const ready = lines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('GraphQL gateway ready at'));
      if (ready) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(String(ready.url));
      }
    }, 25);
    const fail = (err: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(err);
    };
    void exited.then((e) => fail(new Error(`gateway exited (${e.code ?? e.signal}) before it was ready:\n${output()}`)));
  });
  const group = options.command === 'npm';
  return {
    child,
    url,
    startupMs: Date.now() - started,
    output,
    logs: lines,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      return exited;
    },
  };
}

/** Runs the entry point to completion (for start-up failures). */
export async function runGateway(env: Record<string, string>): Promise<Exit & { output: string }> {
  const { output, exited } = spawnEntry(env, 'node');
  const exit = await exited;
  return { ...exit, output: output() };
}

// Spawns the entry point, collecting its output.
function spawnEntry(env: Record<string, string>, command: 'node' | 'npm' | Command): { child: ChildProcess; output: () => string; exited: Promise<Exit> } {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  const child =
    command === 'npm'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : command === 'node'
        ? spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(command.file, [...command.args], { cwd: command.cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, output: () => text, exited };
}
