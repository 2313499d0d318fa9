/**
 * Debian's Chromium for browser tests, driven by playwright-core (no bundled browser download).
 * Missing Chromium skips those tests loudly: CI installs it (apt-get install -y chromium).
 */
import { existsSync } from 'node:fs';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, offline-friendly launch arguments. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `describe` when Chromium is installed, else `describe.skip` after a loud notice naming the test. */
export function describeWithChromium(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  process.stderr.write(`\n*** ${CHROMIUM} is missing: the ${what} is SKIPPED. Install it with: apt-get install -y chromium ***\n\n`);
  return describe.skip;
}
