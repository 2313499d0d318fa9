/**
 * The image without Docker: what the Dockerfile's final stage runs (its CMD and ENV, read from
 * the file) and a folder laid out as that stage lays out /app (dist/ from scripts/build.mjs,
 * package.json, and the production dependencies that `npm ci --omit=dev` would install).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** What the final stage of a Dockerfile runs. */
export interface ImageEntry {
  /** The exec-form CMD, e.g. `["node", "--enable-source-maps", "dist/src/main.js"]`. */
  readonly cmd: readonly string[];
  /** The ENV the final stage sets. */
  readonly env: Readonly<Record<string, string>>;
}

// The instructions of a Dockerfile as [keyword, arguments], continuation lines joined, comments dropped.
function instructions(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    pending += `${line.replace(/\\$/, '')} `;
    if (line.endsWith('\\')) continue;
    const match = /^(\S+)\s*(.*)$/.exec(pending.trim());
    if (match) out.push([match[1]!.toUpperCase(), match[2]!.trim()]);
    pending = '';
  }
  return out;
}

/** Reads the final stage's exec-form CMD and its ENV (`KEY=value` pairs, values optionally double-quoted). */
export function readImageEntry(dockerfile: string): ImageEntry {
  const all = instructions(dockerfile);
  const lastFrom = all.map(([k]) => k).lastIndexOf('FROM');
  const stage = all.slice(lastFrom + 1);
  const env: Record<string, string> = {};
  for (const [, args] of stage.filter(([k]) => k === 'ENV')) {
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      env[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    }
  }
  const cmd = stage.filter(([k]) => k === 'CMD').at(-1)?.[1];
  if (!cmd?.startsWith('[')) throw new Error(`the final stage needs an exec-form CMD (a JSON array); got ${JSON.stringify(cmd ?? null)}`);
  return { cmd: JSON.parse(cmd) as string[], env };
}

/** Lists the folders (`node_modules/…`) that `npm ci --omit=dev` installs from a package-lock.json (v2/v3). */
export function productionPackages(lockfile: string): string[] {
  const lock = JSON.parse(lockfile) as { packages?: Record<string, { dev?: boolean; link?: boolean }> };
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true)
    .map(([path]) => path)
    .sort();
}

// Hard-links (or copies, across file systems) a package folder, leaving out its nested node_modules.
function linkPackage(from: string, to: string, top = true): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (top && entry.name === 'node_modules') continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkPackage(source, target, false);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/**
 * Lays out `dest` as the image's /app: package.json, package-lock.json, the production
 * packages of `root`'s installed node_modules (real files, so nothing resolves back into the
 * development tree) and dist/ built by `scripts/build.mjs`. Returns the packages it placed.
 */
export async function layOutImage(root: string, dest: string): Promise<string[]> {
  const lockfile = readFileSync(join(root, 'package-lock.json'), 'utf8');
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dest, file));
  const installed = realpathSync(join(root, 'node_modules'));
  const packages = productionPackages(lockfile).filter((path) => existsSync(join(installed, path.slice('node_modules/'.length))));
  for (const path of packages) linkPackage(join(installed, path.slice('node_modules/'.length)), join(dest, path));
  await promisify(execFile)(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-dir', join(dest, 'dist')], { cwd: root });
  return packages;
}
