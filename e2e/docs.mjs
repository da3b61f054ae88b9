// The REST API docs at /docs in a real browser (Debian's Chromium, driven by
// playwright-core), opened as a REST client's developer would: without a
// token. Redoc must render each POST /reports/… operation of /openapi.json
// (its verb, path and summary), with the page's strict Content-Security-
// Policy in force. Saves out/docs.png.
//
// Fails on any CSP violation (reported by the page's securitypolicyviolation
// events and by Chromium's console), console error, page error, failed
// request, any request to another origin, or an answer of 400 or more.
//
// env: STIFT_URL (http://127.0.0.1:PORT), CHROMIUM (default /usr/bin/chromium)
import { inChromium, log, step } from './browser.mjs';

const base = process.env.STIFT_URL;
if (!base) {
  console.error('docs: STIFT_URL must be set');
  process.exit(2);
}
const origin = new URL(base).origin;

// The operations to find on the page: the document's POST /reports/… ones
// (its /v1/ twins are rendered too, and not counted here).
const operations = await step('read the POST /reports/… operations of /openapi.json', async () => {
  const res = await fetch(origin + '/openapi.json', { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const doc = await res.json();
  const ops = Object.entries(doc.paths)
    .filter(([path, item]) => path.startsWith('/reports/') && item.post)
    .map(([path, item]) => ({ path, id: item.post.operationId, summary: item.post.summary }));
  if (ops.length !== 4) throw new Error(`${ops.length} POST /reports/… operations, want 4: ${ops.map((o) => o.path)}`);
  return ops;
});

// section is the locator of the operation's section in Redoc's middle panel.
const section = (page, op) =>
  page.locator(`[data-section-id$="operation/${op.id}"]`).filter({ has: page.locator('h2') }).first();

const ok = await inChromium('docs', { origin, screenshot: 'docs.png' }, async ({ page, problems }) => {
  // Violations as the page sees them, whether or not Chromium logs them.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
  });

  await step('open /docs, without a token, under a strict CSP', async () => {
    const res = await page.goto(origin + '/docs', { waitUntil: 'load', timeout: 20_000 });
    if (res.status() !== 200) throw new Error(`GET /docs answered ${res.status()}`);
    const csp = (await res.allHeaders())['content-security-policy'] ?? '';
    if (!/script-src 'self';/.test(csp) || /unsafe-(inline|eval)/.test(csp)) {
      throw new Error(`Content-Security-Policy: ${csp || '(none)'}`);
    }
    log(`     Content-Security-Policy: ${csp.replace(/'nonce-[^']*'/, "'nonce-…'")}`);
  });

  await step('Redoc renders the four POST /reports/… operations', async () => {
    for (const op of operations) {
      await section(page, op).locator('h2', { hasText: op.summary }).first().waitFor({ timeout: 20_000 });
      // The endpoint box: the verb and the path, exactly.
      const endpoint = await section(page, op).locator('span.http-verb').first().evaluate((verb) =>
        `${verb.textContent} ${verb.nextElementSibling?.textContent}`);
      if (endpoint !== `post ${op.path}`) throw new Error(`${op.id}: endpoint shown as "${endpoint}", want "post ${op.path}"`);
      log(`     ${endpoint}: ${op.summary}`);
    }
  });

  await step('no Content-Security-Policy violation', async () => {
    const v = await page.evaluate(() => window.__cspViolations);
    for (const s of v) problems.push(`CSP violation: ${s}`);
    if (v.length) throw new Error(`${v.length} violation(s)`);
  });

  await section(page, operations[0]).scrollIntoViewIfNeeded();
});
if (!ok) process.exit(1);
console.log('docs: /docs renders the REST operations, offline, with no CSP violation');
