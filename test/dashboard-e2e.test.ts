import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARD_BUILD, ensureDashboardBuilt } from '../cli/supervisor/dashboard-build.ts';
import { loadConfig } from '../core/config.ts';
import { buildApi } from './helpers/api.ts';
import { type HttpReceiver, startHttpReceiver } from './helpers/http-receiver.ts';
import { closedPort } from './helpers/ports.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

// The dashboard end to end: Debian's Chromium (never a downloaded browser) drives the real dashboard,
// served by the real API, on a real Temporal dev server and worker; only Ollama is the fake.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts/dashboard');

const CARD = `name: e2e-triage
description: Dashboard end-to-end card.
prompt:
  template: "Ticket: {{ ticket }}"
models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]
concurrency: 2
cases:
  - name: billing
    vars: { ticket: "I was charged twice, billing" }
    assert: [{ type: icontains, value: billing }]
  - name: crash
    vars: { ticket: "The app crashes: a bug" }
    assert: [{ type: icontains, value: bug }]
  - name: impossible
    vars: { ticket: "hello" }
    assert: [{ type: contains, value: never-said }]
`;

/** The little of the browser's window these tests read (the test files are compiled without DOM types). */
type BrowserWindow = {
  sameDocument?: boolean;
  innerWidth: number;
  document: { documentElement: { scrollWidth: number } };
};

let h: SuiteHarness;
let worker: Worker;
let running: Promise<void>;
let api: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
let receiver: HttpReceiver;
const runIds: string[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Number of the run in the URL of the current page. */
function currentRunId(): string {
  const match = /\/ui\/runs\/([^/?#]+)/.exec(page.url());
  if (!match?.[1]) throw new Error(`not on a run page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** Presses Run on the card page; the response cache is bypassed so the fake's current replies count. */
async function startRunFromCardPage(): Promise<string> {
  await page.goto(`${base}/ui/cards/e2e-triage`);
  await page.getByLabel('bypass the response cache').check();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/\/ui\/runs\//);
  const id = currentRunId();
  runIds.push(id);
  return id;
}

async function waitForStatus(status: string, timeout = 45_000): Promise<void> {
  await page.waitForSelector(`[data-testid="run-status"] [data-status="${status}"]`, { timeout });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureDashboardBuilt(DEFAULT_DASHBOARD_BUILD);
  [h, receiver] = await Promise.all([createSuiteHarness(), startHttpReceiver()]);
  worker = await h.worker();
  running = worker.run();
  const port = await closedPort();
  base = `http://127.0.0.1:${port}`;
  const { allowedHosts } = loadConfig({}).http;
  api = await buildApi(
    h,
    {},
    { dashboard: { buildDir: DEFAULT_DASHBOARD_BUILD, apiUrl: base, allowedHosts } },
  );
  await api.listen({ host: '127.0.0.1', port });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  api?.server.closeAllConnections();
  await api?.close();
  worker?.shutdown();
  await running;
  await Promise.all([h?.close(), receiver?.close()]);
});

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('dashboard in a real browser', () => {
  it('answers only to its own host names (no DNS rebinding)', async () => {
    const rebound = await getWithHost(`${base}/ui/settings`, 'attacker.example:80');
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain('PCS_ALLOWED_HOSTS');
    expect((await getWithHost(`${base}/ui/settings`, `localhost:${new URL(base).port}`)).status).toBe(200);
  });

  it('creates the first API key from Settings and uses it in this browser', async () => {
    await page.goto(`${base}/ui/settings`);
    await page.getByLabel('Name').fill('e2e');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.getByTestId('new-key').textContent()).toMatch(/\S{20,}/);
    await expect.poll(() => page.getByText('This browser now uses it.').count()).toBe(1);
    await page.goto(`${base}/ui/settings`);
    await expect.poll(() => page.getByText('A key is set.').count()).toBe(1);
    await screenshot('settings');
  });

  it('shows an inline error at the line of a bad field, then saves the fixed card', async () => {
    await page.goto(`${base}/ui/cards/new`);
    const bad = CARD.replace('concurrency: 2', 'concurrency: lots');
    await page.getByLabel('Card YAML').fill(bad);
    const badLine = bad.split('\n').findIndex((line) => line.startsWith('concurrency')) + 1;
    await page.waitForSelector('.line-number.bad');
    expect(await page.locator('.line-number.bad').first().textContent()).toContain(String(badLine));
    expect(await page.locator('.issue').first().textContent()).toContain('concurrency');
    await screenshot('card-editor-error');

    await page.getByLabel('Card YAML').fill(CARD);
    await page.waitForSelector('text=✓ valid card');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.waitForURL(/\/ui\/cards\/e2e-triage\?saved=1/);
    expect(await page.getByRole('status').first().textContent()).toContain('Saved version 1');
    await screenshot('card');
  });

  it('starts a run with models from /models and follows it live to 100% without a reload', async () => {
    h.fake.setDelay(700);
    await page.goto(`${base}/ui/cards/e2e-triage`);
    const offered = await page
      .locator('input[name="models"]')
      .evaluateAll((inputs) => inputs.map((input) => (input as unknown as { value: string }).value));
    expect(offered).toEqual(expect.arrayContaining(['ollama:llama3.2:3b', 'ollama:qwen2.5:7b', 'echo']));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/ui\/runs\//);
    runIds.push(currentRunId());
    await page.evaluate(() => {
      (globalThis as unknown as BrowserWindow).sameDocument = true;
    });
    const bar = page.getByRole('progressbar');
    const firstSeen = Number(await bar.getAttribute('aria-valuenow'));
    expect(firstSeen).toBeLessThan(100);
    await page.waitForSelector('[role="progressbar"][aria-valuenow="100"]', { timeout: 45_000 });
    await waitForStatus('completed');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).sameDocument)).toBe(true);
    expect(await page.getByTestId('total-counts').textContent()).toMatch(/6 \/ 6\s*4\s*2\s*0/);
    await page.waitForSelector('text=Summary');
    await screenshot('run-completed');
  });

  it('opens a failing cell and shows its assertion reason, by mouse and by keyboard', async () => {
    await page.locator('button.cell[data-status="fail"]').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Expected output to contain "never-said"');
    expect(await dialog.textContent()).toContain('Ticket: hello');
    await screenshot('cell-detail');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.locator('button.cell[data-status="pass"]').first().focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('✓ pass');
    await page.keyboard.press('Escape');
  });

  it('filters the matrix to failures and searches in outputs', async () => {
    await page.getByLabel('Failures and errors').check();
    await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(1);
    expect(await page.locator('table.matrix tbody th').first().textContent()).toBe('impossible');
    await page.getByLabel('All cases').check();
    await page.getByLabel('Search in outputs').fill('charged twice');
    await expect.poll(() => page.locator('table.matrix tbody tr').count()).toBe(1);
    expect(await page.locator('table.matrix tbody th').first().textContent()).toBe('billing');
  });

  it('downloads the run as CSV through the dashboard (with the key the browser never sees)', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(7);
    expect(csv).toContain('never-said');
  });

  it('is readable at a narrow width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    const overflow = await page.evaluate(() => {
      const window = globalThis as unknown as BrowserWindow;
      return window.document.documentElement.scrollWidth - window.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot('run-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('cancels a slow run', async () => {
    h.fake.setDelay(5000);
    await startRunFromCardPage();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.waitForSelector('text=Cancel requested');
    await screenshot('run-cancelling');
    await waitForStatus('cancelled');
    await screenshot('run-cancelled');
    h.fake.setDelay(0);
  });

  it('compares two runs: newly failing cases and side-by-side outputs', async () => {
    h.fake.setReply((request) => {
      const prompt = request.messages?.map((m) => m.content).join('\n') ?? request.prompt ?? '';
      return prompt.includes('crashes') ? 'echo: something else entirely' : `echo: ${prompt}`;
    });
    const degraded = await startRunFromCardPage();
    await waitForStatus('completed');
    h.fake.setReply();
    const [first] = runIds;
    await page.goto(
      `${base}/ui/compare?base=${encodeURIComponent(first ?? '')}&run=${encodeURIComponent(degraded)}`,
    );
    expect(await page.getByTestId('newly-failing').textContent()).toBe('2 newly failing');
    expect(await page.getByTestId('verdict').textContent()).toMatch(
      /regression|insufficient-data|within-noise/,
    );
    const crash = page.locator('tr[data-change="newly-failing"]').first();
    expect(await crash.locator('th').textContent()).toBe('crash');
    await crash.getByRole('button', { name: 'Side by side' }).click();
    expect(await page.getByTestId('base-output').textContent()).toContain('The app crashes: a bug');
    expect(await page.getByTestId('candidate-output').textContent()).toBe('echo: something else entirely');
    await screenshot('compare');
  });

  it('lists runs with pass rates and a trend per card on the overview', async () => {
    await page.goto(`${base}/ui/`);
    expect(await page.locator('table').nth(1).locator('tbody tr').count()).toBe(runIds.length);
    const trend = await page.getByRole('img', { name: /Pass rate of e2e-triage/ }).getAttribute('aria-label');
    expect(trend).toContain('66.7%');
    await screenshot('overview');
  });

  it('manages webhooks: add one, send a signed test ping, see the delivery', async () => {
    await page.goto(`${base}/ui/webhooks`);
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.waitForSelector('text=Generated secret');
    await page.getByRole('button', { name: 'Send test ping' }).click();
    await page.waitForSelector('text=/answered 200/');
    expect(receiver.requests.at(-1)?.headers['x-pcs-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.waitForSelector('text=Deliveries of webhook');
    await screenshot('webhooks');
  });

  it('pins a baseline and shows the pass-rate trend on the card page', async () => {
    const [first] = runIds;
    await page.goto(`${base}/ui/cards/e2e-triage`);
    const caption = await page.locator('#trend-caption').textContent();
    expect(caption).toContain('pass rate · ollama:llama3.2:3b');
    await page.locator(`button[name="runId"][value="${first}"]`).click();
    await page.waitForSelector(`text=Run ${first} is now the baseline.`);
    expect(await page.getByTestId('baseline').textContent()).toContain('pinned');
    await screenshot('card-trend-baseline');
  });

  it('creates a schedule, pauses it with a note, runs it now, and shows the run judged against the baseline', async () => {
    await page.goto(`${base}/ui/schedules`);
    await page.getByLabel('Interval (30s, 15m, 1h, 1d)').fill('1h');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.waitForSelector('text=/Schedule pcs-e2e-triage-\\w+ created/');
    const schedule = page.getByTestId('schedule').first();
    expect(await schedule.textContent()).toMatch(/Next run: \d{4}-\d\d-\d\d/);

    await schedule.getByPlaceholder('why (optional)').fill('e2e pause');
    await schedule.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('text=Note: e2e pause');
    expect(await page.getByTestId('schedule').first().textContent()).toContain('‖ paused');

    await page.getByTestId('schedule').first().getByRole('button', { name: 'Run now' }).click();
    await page.waitForSelector('text=trigger: done.');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('schedule').first().locator('tbody tr').first().textContent();
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toMatch(/completed.*no-change/);
    await screenshot('schedules');

    await page.getByTestId('schedule').first().locator('tbody tr a').first().click();
    await page.waitForURL(/\/ui\/runs\//);
    const verdict = await page.getByTestId('run-verdict').textContent();
    expect(verdict).toContain('Against the baseline: no-change');
    expect(verdict).toContain(runIds[0]);
    await screenshot('run-verdict');

    await page.getByRole('link', { name: 'Compare with the baseline run' }).click();
    await page.waitForURL(/\/ui\/compare\?/);
    expect(await page.getByTestId('stored-verdict').textContent()).toContain('no-change');
  });

  // Last: it stops the fake Ollama for good.
  it('says on the card page when Ollama is unreachable, and still offers echo', async () => {
    await h.fake.close();
    await page.goto(`${base}/ui/cards/e2e-triage`);
    expect(await page.getByRole('alert').first().textContent()).toContain('Ollama is not reachable');
    const offered = await page
      .locator('input[name="models"]')
      .evaluateAll((inputs) => inputs.map((input) => (input as unknown as { value: string }).value));
    expect(offered).toContain('echo');
    await screenshot('card-ollama-unreachable');
  });
});
