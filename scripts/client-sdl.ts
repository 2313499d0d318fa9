/**
 * Writes the client SDL (schema/generated/client.graphql: the API without Federation machinery,
 * for relay-compiler, graphql-codegen's client preset, IDEs) from schema/*.graphql:
 * `npm run sdl` (also run by `npm run codegen`). With `--check` (part of `npm test`) it writes
 * nothing and exits 1 when the file is missing or stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { CLIENT_SDL_PATH, printClientSdl } from '../src/graph/client-schema';

const shown = relative(process.cwd(), CLIENT_SDL_PATH) || CLIENT_SDL_PATH;
const wanted = printClientSdl();

// The file's text, or undefined when there is none.
function current(): string | undefined {
  try {
    return readFileSync(CLIENT_SDL_PATH, 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv.includes('--check')) {
  const text = current();
  if (text === wanted) {
    process.stdout.write(`${shown} is up to date with schema/*.graphql.\n`);
  } else {
    process.stderr.write(`${shown} is ${text === undefined ? 'missing' : 'stale (schema/*.graphql changed since it was generated)'}: run \`npm run sdl\` and commit it.\n`);
    process.exitCode = 1;
  }
} else {
  mkdirSync(dirname(CLIENT_SDL_PATH), { recursive: true });
  const changed = current() !== wanted;
  if (changed) writeFileSync(CLIENT_SDL_PATH, wanted);
  process.stdout.write(`${shown} ${changed ? 'written' : 'unchanged'}.\n`);
}
