// What the browser checks (playground.mjs, docs.mjs, cors.mjs) share:
// Debian's Chromium driven by playwright-core with a fresh profile, the
// problems that fail a check whatever it does, steps that report their
// time, and a screenshot in out/, of the result or of the failure.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');

export const log = (msg) => console.log(`  ${msg}`);

// step runs fn, logging its name, its time and whether it failed.
export async function step(name, fn) {
  const t = Date.now();
  try {
    const r = await fn();
    log(`ok   ${name} (${Date.now() - t} ms)`);
    return r;
  } catch (err) {
    log(`FAIL ${name}: ${String(err.message).split('\n')[0]}`);
    throw err;
  }
}

// inChromium opens a page in headless Chromium (CHROMIUM, default
// /usr/bin/chromium) and runs check({ context, page, problems }), which
// navigates to origin itself. Recorded as problems, besides those check
// pushes: page errors, failed requests, requests to another origin than
// origin, and console errors that allowConsoleError(text) does not allow.
// Saves out/<screenshot> at the end, of the failure if there is one.
// Prints the problems and returns whether the check passed without any.
export async function inChromium(name, { origin, screenshot, allowConsoleError = () => false }, check) {
  mkdirSync(outDir, { recursive: true });
  const shot = join(outDir, screenshot);
  const problems = [];
  let browser;
  let context;
  let failed = false;
  try {
    browser = await launch({ width: 1400, height: 900 });
    context = browser.context;
    const page = browser.page;
    page.on('console', (m) => {
      if (m.type() === 'error' && !allowConsoleError(m.text())) {
        problems.push(`console error: ${m.text()} (at ${m.location().url})`);
      }
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol === 'data:' || u.protocol === 'blob:') return;
      if (u.origin !== origin) problems.push(`request to another origin: ${r.method()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));

    await check({ context, page, problems });

    await page.screenshot({ path: shot });
    log(`     screenshot: ${shot}`);
  } catch (err) {
    failed = true;
    console.error(`${name}: ${err.stack ?? err}`);
    const page = context?.pages()[0];
    if (page) {
      try {
        await page.screenshot({ path: shot });
        log(`     screenshot of the failure: ${shot}`);
      } catch {}
    }
  } finally {
    await browser?.close();
  }
  for (const p of problems) console.error(`  PROBLEM ${p}`);
  if (failed || problems.length) {
    console.error(`${name}: FAILED`);
    return false;
  }
  return true;
}

// launch starts headless Chromium (CHROMIUM, default /usr/bin/chromium)
// with a profile of its own in a temporary directory, and returns its
// context and first page; close ends it and removes the profile.
export async function launch({ width, height }) {
  const dir = mkdtempSync(join(tmpdir(), 'stift-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run'],
      viewport: { width, height },
      timeout: 30_000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context, page, dir,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
