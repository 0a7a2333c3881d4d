import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { generateDataset } from '../../lake/generate/generate';
import { historyUrl, runMonth } from '../../client/run-month';
import { until } from '../helpers/observe';
import { createBucket, describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

/** Debian's `chromium` (what .ci/run installs), or whichever Chromium or Chrome `$CHROMIUM_PATH` names. */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not on PATH; try the next name
    }
  }
  return undefined;
}

const chromium = findChromium();
const uiUrl = process.env.TEMPORAL_UI_URL;
const why = !chromium ? 'no Chromium (apt-get install chromium, or set CHROMIUM_PATH)' : !uiUrl ? 'no TEMPORAL_UI_URL (infra/test-servers.sh exports it)' : undefined;
if (why) console.warn(`Skipping the Web UI test: ${why}`);

/** Where the screenshot goes: `SPARKIFY_UI_SCREENSHOT` (docs/images/run-history.png to refresh the docs), else a temp file. */
const screenshotPath = process.env.SPARKIFY_UI_SCREENSHOT
  ? path.resolve(process.env.SPARKIFY_UI_SCREENSHOT)
  : path.join(os.tmpdir(), `sparkify-run-history-${process.pid}.png`);

/** The cells of every table that has `task` and `state` headers: the DAG's current details. */
const CURRENT_DETAILS_ROWS = `
  [...document.querySelectorAll('table')]
    .filter((t) => /\\btask\\b/.test(t.innerText) && /\\bstate\\b/.test(t.innerText))
    .flatMap((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td,th')].map((c) => c.innerText.trim())))
`;

(why ? describe.skip : describeWithServers)('a finished run in the Temporal Web UI, in headless Chromium', () => {
  let h: TemporalHarness;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    h = await startHarness();
    const input = `s3://${await createBucket(h.config, 'sparkify-ui-in')}/`;
    const output = `s3://${await createBucket(h.config, 'sparkify-ui-out')}/`;
    await generateDataset(h.stores.open(input), { songs: 200, users: 30, events: 3000, from: { year: 2018, month: 11 }, months: 1, seed: 3 });
    const run = await runMonth(h.client, h.config, { year: 2018, month: 11, input, output }, uniqueName('sparkify-etl-2018-11'));
    url = historyUrl(uiUrl!, h.config.temporal.namespace, run.workflowId, run.runId);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      // Root in a container has no user namespace for Chromium's sandbox; the page is our own loopback UI.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 1600 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    // A screenshot nobody asked to keep goes with the test; one asked for (the docs' picture) stays.
    if (!process.env.SPARKIFY_UI_SCREENSHOT) rmSync(screenshotPath, { force: true });
  });

  it("shows the run's DAG tasks as its activities' summaries and its current details as the DAG's table", async () => {
    await page.goto(url, { waitUntil: 'networkidle0' });
    // The UI renders in the browser after its API calls: wait until the history names the last task.
    // (Browser-side code is given as text: this Node project is compiled without the DOM's types.)
    await page.waitForFunction("document.body.innerText.includes('publish')", { timeout: 60_000 });
    const history = (await page.evaluate('document.body.innerText')) as string;
    // Each activity as "<activity type> • <summary>": the summary names the DAG task and part.
    for (const event of ['stage • stage-events 1/15', 'writePartitions • write-dimensions 2/2', 'audit • audit-facts', 'publish • publish']) {
      expect(history).toContain(event);
    }

    // The User Metadata tab: the run's summary, its activities' summaries, and its current details, which the UI
    // renders from Markdown in a frame of their own once the worker answers the UI's metadata query.
    await page.click('a[href$="/user-metadata"]');
    const rows = await until('the current details table', async () => {
      for (const frame of page.frames()) {
        // The UI replaces its frames while it renders: one detached since frames() throws at once, not as a
        // rejection, so the call goes inside the promise chain and such a frame just has no rows yet.
        const found = (await Promise.resolve()
          .then(() => frame.evaluate(CURRENT_DETAILS_ROWS))
          .catch(() => [])) as string[][];
        if (found.length > 1) return found;
      }
      return undefined;
    }, 60);
    const metadata = (await page.evaluate('document.body.innerText')) as string;
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath as `${string}.png`, fullPage: true });
    console.log(`Web UI screenshot: ${screenshotPath}`);

    expect(metadata).toContain('Current Details');
    expect(metadata).toContain('write-dimensions 2/2');
    expect(rows[0]).toEqual(['task', 'state', 'parts', 'seconds']);
    const states = Object.fromEntries(rows.slice(1).map(([task, state]) => [task, state]));
    expect(states).toEqual({
      'stage-songs': 'done',
      'stage-events': 'done',
      'transform-dimensions': 'done',
      'transform-facts': 'done',
      'write-dimensions': 'done',
      'write-facts': 'done',
      'audit-dimensions': 'done',
      'audit-facts': 'done',
      publish: 'done',
    });
  });
});
