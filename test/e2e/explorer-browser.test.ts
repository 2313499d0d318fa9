/**
 * The offline explorer in a real browser (Debian's Chromium, headless, driven by
 * playwright-core): the GraphiQL page loads with the example query filled in, runs it through
 * the UI, shows the result, and never asks another host for anything. Saves a screenshot to
 * test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startOpsStack, type OpsStack } from '../integration/ops-support';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from './support/chromium';
import { ROOT } from './support/process';

const ARTIFACTS = join(ROOT, 'test-artifacts');

describeWithChromium('explorer browser test')('GraphiQL explorer in Chromium', () => {
  let stack: OpsStack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startOpsStack({ logLevel: 'silent' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('loads offline, runs the example query through the UI, and shows the result', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });

    await page.goto(`${stack.origin}/graphql`);
    await page.waitForSelector('.graphiql-container .graphiql-execute-button', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor')?.textContent?.includes('RecentUrlTasks'), null, { timeout: 10_000 });
    expect(await page.textContent('.graphiql-logo')).toContain(`${stack.origin}/graphql`);

    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"totalCount"'), null, { timeout: 15_000 });
    const result = (await page.textContent('.result-window')) ?? '';
    expect(result).toContain('"urlTasks"');
    expect(result).not.toContain('"errors"');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png') });
    expect(existsSync(join(ARTIFACTS, 'explorer.png'))).toBe(true);

    const hosts = [...new Set(requested.map((u) => new URL(u).host))];
    expect(hosts).toEqual([new URL(stack.origin).host]);
    expect(requested.some((u) => u.endsWith('/explorer/graphiql.min.js'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
