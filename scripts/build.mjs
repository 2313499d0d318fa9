/**
 * `npm run build [-- --if-stale] [-- --out-dir DIR]`: compiles src/ to CommonJS JavaScript with
 * source maps in dist/src/ (SWC, file by file: the type check stays `npm run typecheck`) and copies
 * schema/*.graphql to dist/schema/. dist/ mirrors the repository's layout, so a path a module finds
 * relative to itself (src/graph/schema.ts reads `../../schema`) is the same under tsx and compiled.
 *
 * The output is written to a fresh folder and swapped in whole; `dist/.build-hash` records what it
 * was built from (sources, schema, this script, SWC's version). `--if-stale` skips the build when
 * that hash still matches, which is how `npm start` stays quick after the first start.
 * `--out-dir DIR` builds somewhere else (the production-start test builds into a temporary image).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const root = join(import.meta.dirname, '..');
const HASH_FILE = '.build-hash';

// The compiler settings: those of .swcrc (what jest runs), plus source maps.
const swcOptions = {
  swcrc: false,
  sourceMaps: true,
  // Traces need the mappings only; the sources' text would be held in memory by --enable-source-maps.
  inlineSourcesContent: false,
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', externalHelpers: false },
  module: { type: 'commonjs' },
};

// Reads the command line, refusing what it does not know.
function readArgs(argv) {
  const options = { ifStale: false, outDir: join(root, 'dist') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--if-stale') options.ifStale = true;
    else if (argv[i] === '--out-dir' && argv[i + 1]) options.outDir = resolve(argv[++i]);
    else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; use --if-stale and --out-dir DIR`);
  }
  return options;
}

// Lists the files under a folder (relative paths, sorted) whose names pass `keep`.
function listFiles(dir, keep, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, keep, base));
    else if (keep(entry.name)) out.push(relative(base, path));
  }
  return out.sort();
}

// The installed SWC's version, or undefined when development dependencies are not installed.
function swcVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', '@swc', 'core', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// Hashes everything the output depends on.
function inputsHash(sources, schemas, swcVersion) {
  const hash = createHash('sha256');
  hash.update(`swc ${swcVersion}\0${JSON.stringify(swcOptions)}\0`).update(readFileSync(import.meta.filename));
  for (const [dir, files] of [['src', sources], ['schema', schemas]]) {
    for (const file of files) hash.update(`\0${dir}/${file}\0`).update(readFileSync(join(root, dir, file)));
  }
  return hash.digest('hex');
}

// Compiles one source file to `<out>/src/<file>.js` and its map, the map pointing back at the source.
async function compile(transform, file, out) {
  const source = join(root, 'src', file);
  const target = join(out, 'src', file.replace(/\.ts$/, '.js'));
  const { code, map } = await transform(readFileSync(source, 'utf8'), { ...swcOptions, filename: source });
  const sourceMap = JSON.parse(map);
  // Relative to the map, as in tsc's maps: the image ships no src/, but traces still name the TypeScript file and line.
  sourceMap.sources = [relative(dirname(target), source).split(sep).join('/')];
  sourceMap.file = basename(target);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${code}\n//# sourceMappingURL=${basename(target)}.map\n`);
  writeFileSync(`${target}.map`, JSON.stringify(sourceMap));
}

async function main() {
  const { ifStale, outDir } = readArgs(process.argv.slice(2));
  const sources = listFiles(join(root, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  const schemas = readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.graphql')).sort();
  const swc = swcVersion();
  const hash = inputsHash(sources, schemas, swc);
  const hashFile = join(outDir, HASH_FILE);
  if (ifStale && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return;
  if (!swc) {
    // Production dependencies only (`npm ci --omit=dev`): nothing to build with.
    if (ifStale && existsSync(hashFile)) {
      process.stderr.write('build: @swc/core is not installed (production dependencies only), so dist/ is used as it was built\n');
      return;
    }
    throw new Error('@swc/core is not installed: run `npm ci` (with development dependencies) to build');
  }

  const started = Date.now();
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    // Loaded only to build: a start from an up-to-date dist/ does not pay for the native compiler.
    const { transform } = await import('@swc/core');
    await Promise.all(sources.map((file) => compile(transform, file, staging)));
    mkdirSync(join(staging, 'schema'), { recursive: true });
    for (const file of schemas) writeFileSync(join(staging, 'schema', file), readFileSync(join(root, 'schema', file)));
    writeFileSync(join(staging, HASH_FILE), hash);
    // Swapped in whole: a start never sees half of an old build and half of a new one.
    const old = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    try {
      renameSync(staging, outDir);
    } catch (err) {
      // Another build of the same sources got there first (two starts at once): theirs will do.
      if (!(existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash)) throw err;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const rel = relative(process.cwd(), outDir);
  const shown = rel === '' || rel.startsWith('..') ? outDir : rel;
  process.stderr.write(`build: ${sources.length} files compiled to ${shown}/src, ${schemas.length} schema files copied, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
