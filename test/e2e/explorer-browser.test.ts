/**
 * The offline explorer in a real browser (Debian's Chromium, headless, driven by
 * playwright-core): the GraphiQL page loads with the example query filled in, runs it through
 * the UI, shows the result, and never asks another host for anything; and a taskProgress
 * subscription run from it, authenticated by the key typed in its header editor, streams a
 * created task's states over WebSocket into the result pane until DONE. Saves screenshots to
 * test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startOpsStack, type OpsStack } from '../integration/ops-support';
import { eventually } from '../support/eventually';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from './support/chromium';
import { ROOT } from './support/process';

const ARTIFACTS = join(ROOT, 'test-artifacts');

// Replaces the text of the CodeMirror editor inside `selector` (the query editor, the header editor).
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.evaluate(
    ([sel, value]) => {
      const editor = document.querySelector(sel) as (Element & { CodeMirror?: { setValue(v: string): void } }) | null;
      if (!editor?.CodeMirror) throw new Error(`no CodeMirror editor at ${sel}`);
      editor.CodeMirror.setValue(value);
    },
    [selector, text] as const,
  );
}

/**
 * Waits until GraphiQL has parsed the query editor's text (it does so 100 ms after an edit, and
 * picks the transport from the parsed document: WebSocket for a subscription).
 */
async function waitForParsedOperation(page: Page, operation: string): Promise<void> {
  await page.waitForFunction(
    (kind) => {
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as (Element & { CodeMirror?: { documentAST?: { definitions: Array<{ operation?: string }> } | null } }) | null;
      return editor?.CodeMirror?.documentAST?.definitions[0]?.operation === kind;
    },
    operation,
    { timeout: 10_000 },
  );
}

describeWithChromium('explorer browser test')('GraphiQL explorer in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('queries', () => {
    let stack: OpsStack;
    beforeAll(async () => {
      stack = await startOpsStack({ logLevel: 'silent' });
    });
    afterAll(async () => {
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

  describe('subscriptions', () => {
    const KEY = 'explorer-key-0123456789abcdef';
    let stack: OpsStack;
    // The simulator's clock: moved by hand to settle the task, so the test waits for no task's own time.
    let offsetMs = 0;
    beforeAll(async () => {
      stack = await startOpsStack({
        logLevel: 'silent',
        simulator: { now: () => Date.now() + offsetMs, transitionMs: 60_000 },
        env: { AUTH_MODE: 'api-key', API_KEYS: KEY, PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '200' },
      });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('follows a created task over WebSocket with the key from the header editor: each state in the result pane, then DONE', async () => {
      const created = await stack.gql(
        'mutation($input: CreateRefreshTaskInput!) { createRefreshTask(input: $input) { taskId } }',
        { input: { urls: ['https://www.example.com/explorer/a.js', 'https://www.example.com/explorer/b.js'] } },
        { 'x-api-key': KEY },
      );
      expect(created.body.errors).toBeUndefined();
      const taskId = (created.body.data as { createRefreshTask: { taskId: string } }).createRefreshTask.taskId;

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems: string[] = [];
      const frames: Array<{ type?: string; payload?: unknown }> = [];
      const sockets: string[] = [];
      // The refusal of the placeholder key below is expected: GraphiQL reports it as an uncaught error too.
      page.on('pageerror', (e) => void (e.message.includes('4401') || problems.push(`page error: ${e.message}`)));
      page.on('console', (m) => {
        // The schema introspection sent on load with the placeholder key is refused (401): expected here.
        if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(`console error: ${m.text()}`);
      });
      page.on('websocket', (ws) => {
        sockets.push(ws.url());
        ws.on('framereceived', (f) => frames.push(JSON.parse(String(f.payload)) as { type?: string }));
      });

      await page.goto(`${stack.origin}/graphql`);
      await page.waitForSelector('.graphiql-container .graphiql-execute-button', { timeout: 15_000 });
      await setEditor(page, '.graphiql-query-editor .CodeMirror', `subscription Follow {\n  taskProgress(taskId: "${taskId}") { taskId status processing succeeded failed total }\n}\n`);
      await waitForParsedOperation(page, 'subscription');

      // With the page's placeholder key, the connection is refused and the pane says why.
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('4401'), null, { timeout: 15_000 });
      expect(await page.textContent('.result-window')).toContain('The API key is not valid');

      // Every distinct text the result pane shows from now on, in order.
      await page.evaluate(() => {
        const w = window as unknown as { paneStates: string[] };
        w.paneStates = [];
        const pane = document.querySelector('.result-window')!;
        const record = () => {
          const text = pane.textContent ?? '';
          if (w.paneStates.at(-1) !== text) w.paneStates.push(text);
        };
        new MutationObserver(record).observe(pane, { subtree: true, childList: true, characterData: true });
      });
      await setEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror', JSON.stringify({ 'x-api-key': KEY }, null, 2));
      frames.length = 0;
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(() => /"status":\s*"IN_PROCESS"/.test(document.querySelector('.result-window')?.textContent ?? ''), null, { timeout: 15_000 });
      offsetMs += 61_000; // every URL of the task settles
      await page.waitForFunction(() => /"status":\s*"DONE"/.test(document.querySelector('.result-window')?.textContent ?? ''), null, { timeout: 15_000 });
      await eventually(() => expect(frames.some((f) => f.type === 'complete')).toBe(true));

      const result = (await page.textContent('.result-window')) ?? '';
      expect(result).toContain(`"taskId": "${taskId}"`);
      expect(result).toMatch(/"processing":\s*0/);
      expect(result).not.toContain('"errors"');
      const states = await page.evaluate(() => (window as unknown as { paneStates: string[] }).paneStates);
      const inProcess = states.findIndex((s) => /"status":\s*"IN_PROCESS"/.test(s));
      const done = states.findIndex((s) => /"status":\s*"DONE"/.test(s));
      expect(inProcess).toBeGreaterThanOrEqual(0);
      expect(done).toBeGreaterThan(inProcess);
      // The events came over the page's own WebSocket: at least two, then complete.
      const events = frames.filter((f) => f.type === 'next').map((f) => (f.payload as { data: { taskProgress: { status: string } } }).data.taskProgress.status);
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(events[0]).toBe('IN_PROCESS');
      expect(events.at(-1)).toBe('DONE');
      expect(new Set(sockets.map((u) => u.replace(/\?.*$/, '')))).toEqual(new Set([`${stack.origin.replace(/^http/, 'ws')}/graphql`]));
      await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'explorer-subscription.png') });
      expect(problems).toEqual([]);
      await page.close();
    });
  });
});
