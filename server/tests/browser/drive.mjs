// Drives headless Chromium (Debian's, never a downloaded one) through a script of steps,
// for server/tests/connect_browser.rs. The Rust test decides what to do; this file only
// knows how to do it with playwright-core.
//
//   node drive.mjs '<json>'
//
// The JSON: {"chromium": "/usr/bin/chromium", "out": "<dir for screenshots>",
//            "steps": [STEP, ...]}. A STEP is one of
//   {"goto": URL}                       open URL (errors are not fatal: the status is recorded)
//   {"fill": SELECTOR, "value": TEXT}   type into a field
//   {"click": SELECTOR, "until": RE}    click, then wait until the URL matches RE (when given)
//   {"see": TEXT}                       wait until TEXT is on the page
//   {"shot": NAME}                      screenshot of the full page to <out>/NAME.png
//   {"back": true}                      the browser's back button
// Prints one JSON line: {"ok", "error"?, "url", "title", "text", "navigations": [[url, status]],
// "shots": [NAME], "blocked": [message]}: the last page's URL, title and visible text, and the status of every
// top-level document the browser received, and what the pages' Content-Security-Policy blocked. Exits 0 when every step ran, 1 otherwise.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const script = JSON.parse(process.argv[2] ?? '{}');
const out = script.out;
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: script.chromium ?? '/usr/bin/chromium',
  // Root needs --no-sandbox; the rest keeps Chromium from calling out to the internet.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 760, height: 480 }, javaScriptEnabled: script.javascript ?? true });
page.setDefaultTimeout(15000);
const navigations = [];
page.on('response', (response) => {
  const request = response.request();
  if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
    navigations.push([response.url(), response.status()]);
  }
});

// Chromium reports what the Content-Security-Policy blocked on the console.
const blocked = [];
page.on('console', (message) => {
  if (/Content Security Policy/i.test(message.text())) {
    blocked.push(message.text().split('\n')[0]);
  }
});

const shots = [];
let error = null;
try {
  for (const step of script.steps ?? []) {
    if (step.goto !== undefined) {
      await page.goto(step.goto).catch((e) => navigations.push([step.goto, String(e.message).split('\n')[0]]));
    } else if (step.fill !== undefined) {
      await page.fill(step.fill, step.value);
    } else if (step.click !== undefined) {
      if (step.until) {
        await Promise.all([page.waitForURL(new RegExp(step.until)), page.click(step.click)]);
      } else {
        await page.click(step.click);
      }
      await page.waitForLoadState('load');
    } else if (step.see !== undefined) {
      await page.getByText(step.see, { exact: false }).first().waitFor();
    } else if (step.shot !== undefined) {
      await page.screenshot({ path: join(out, `${step.shot}.png`), fullPage: true });
      shots.push(step.shot);
    } else if (step.back !== undefined) {
      await page.goBack();
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
} catch (e) {
  error = `${e.message}`.split('\n').slice(0, 3).join(' ');
}
const result = {
  ok: error === null,
  error,
  url: page.url(),
  title: await page.title().catch(() => ''),
  text: await page.innerText('body').catch(() => ''),
  navigations,
  shots,
  blocked,
};
console.log(JSON.stringify(result));
await browser.close();
process.exit(result.ok ? 0 : 1);
