// What the e2e scripts that drive a real browser share: Debian's Chromium,
// headless, through playwright-core (which never downloads a browser), and
// the way they report their steps.
//
// env: CHROMIUM (default /usr/bin/chromium)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const log = (msg) => console.log(`  ${msg}`);

// step runs fn as a named step, logging ok with its time or FAIL with the
// first line of its error, which it throws on.
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

// launch starts headless Chromium with a profile of its own, in a
// temporary directory (dir), and returns its context and first page;
// close ends it and removes the profile.
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
