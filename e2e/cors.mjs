// The frontend page (e2e/frontend/) in a real browser (Debian's Chromium,
// driven by playwright-core), served from another origin than the API, as
// e2e/cors.sh sets it up:
//
//   - from the allowed origin, the page signs in at the identity provider
//     stand-in and loads the questions report twice; each time the table
//     shows only the token's school's rows, and the CSV download's file
//     name, read from the exposed Content-Disposition header, is the one
//     the API sent; the first load preflights /graphql and
//     /reports/questions once each, answered with Access-Control-Max-Age,
//     and the second load sends no preflight (the browser cached them);
//   - from the other origin, the same page is refused: the preflights get
//     no Access-Control-Allow-Origin, the browser blocks both calls, and no
//     report request reaches the server.
//
// Playwright does not report preflights as requests: a CDP session (Chrome
// DevTools Protocol, through playwright) observes them. The server's request
// log (SERVER_LOG) is checked too, so that a preflight the browser made but
// did not report cannot go unnoticed.
//
// Fails on page errors, failed requests and console errors, except the
// browser's CORS errors while the page runs from the origin the API does
// not allow: those are expected there (and required). Saves out/cors.png
// (the allowed page with its rows) and out/cors-blocked.png.
//
// env: STIFT_URL, PAGE_URL, BLOCKED_PAGE_URL, IDP_URL, SCHOOL_NAME,
// OTHER_SCHOOL_NAME, SERVER_LOG; CHROMIUM (default /usr/bin/chromium).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, log, step } from './browser.mjs';

const need = ['STIFT_URL', 'PAGE_URL', 'BLOCKED_PAGE_URL', 'IDP_URL', 'SCHOOL_NAME', 'OTHER_SCHOOL_NAME', 'SERVER_LOG'];
for (const name of need) {
  if (!process.env[name]) {
    console.error(`cors: ${need.join(', ')} must be set (e2e/cors.sh sets them)`);
    process.exit(2);
  }
}
const { STIFT_URL, PAGE_URL, BLOCKED_PAGE_URL, IDP_URL, SCHOOL_NAME, OTHER_SCHOOL_NAME, SERVER_LOG } = process.env;
const api = new URL(STIFT_URL).origin;
const graphqlURL = api + '/graphql';
const restURL = api + '/reports/questions';
const reportURLs = [graphqlURL, restURL];
const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');
mkdirSync(outDir, { recursive: true });

const problems = [];
let phase = 'allowed'; // which page runs: the allowed origin's or the blocked one's
const expectedConsole = []; // the blocked page's CORS errors

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// serverRequests returns the server's logged requests (method and path).
function serverRequests() {
  return readFileSync(SERVER_LOG, 'utf8').split('\n').filter(Boolean)
    .map((l) => { try { return JSON.parse(l); } catch { return {}; } })
    .filter((e) => e.msg === 'request');
}
const countLogged = (method, path) => serverRequests().filter((e) => e.method === method && e.path === path).length;

// logged returns how many method path requests the server logged, once
// there are at least want: the server logs a request after its response
// is out, so the browser may see a response before its log line is written.
async function logged(method, path, want) {
  const deadline = Date.now() + 10_000;
  let n;
  while ((n = countLogged(method, path)) < want && Date.now() < deadline) await new Promise((f) => setTimeout(f, 100));
  return n;
}

async function waitReady() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(api + '/readyz', { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {}
    await new Promise((f) => setTimeout(f, 200));
  }
  throw new Error('/readyz did not answer 200 within 30 s');
}

// Preflights and report requests as Chromium makes them, from the CDP
// session's Network events.
const preflights = []; // {url, origin, status, headers} in the order sent
const byId = new Map();
async function observe(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type !== 'Preflight' && e.request.method !== 'OPTIONS') return;
    const p = { url: e.request.url, origin: lower(e.request.headers).origin, phase, status: 0, headers: {} };
    preflights.push(p);
    byId.set(e.requestId, p);
  });
  cdp.on('Network.responseReceived', (e) => {
    const p = byId.get(e.requestId);
    if (p) Object.assign(p, { status: e.response.status, headers: lower(e.response.headers) });
  });
}
const lower = (h) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

// load clicks the page's load button and waits for run n to end; returns
// what the report requests answered.
async function load(page, n, state) {
  const responses = [];
  const onResponse = (r) => { if (reportURLs.includes(r.url())) responses.push(r); };
  page.on('response', onResponse);
  await page.locator('#load').click();
  await page.locator(`#status[data-run="${n}"]:not([data-state="loading"])`).waitFor({ timeout: 30_000 });
  page.off('response', onResponse);
  const got = await page.locator('#status').getAttribute('data-state');
  const text = await page.locator('#status').textContent();
  check(got === state, `run ${n} ended ${got}, want ${state}: ${text}`);
  return responses;
}

// pageRows returns the table's rows as arrays of cell texts.
const pageRows = (page) => page.locator('#rows tbody tr').evaluateAll((trs) =>
  trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

let browser;
let failed = false;
try {
  await step('the server is ready', waitReady);
  browser = await launch({ width: 1280, height: 900 });
  const { context, page } = browser;
  await observe(context, page);

  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    const blockedCall = (/^Access to fetch at '([^']+)' from origin '[^']+' has been blocked by CORS policy/.exec(text) ?? [])[1] ??
      (/^Failed to load resource: net::ERR_FAILED/.test(text) ? m.location().url : '');
    if (phase === 'blocked' && reportURLs.includes(blockedCall)) {
      expectedConsole.push(text);
      log(`note expected from the origin the API does not allow: console error "${text.length > 160 ? text.slice(0, 160) + '…' : text}"`);
      return;
    }
    problems.push(`console error (${phase} page): ${text} (at ${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error (${phase} page): ${e.message}`));
  page.on('requestfailed', (r) => {
    if (phase === 'blocked' && reportURLs.includes(r.url())) return;
    problems.push(`request failed (${phase} page): ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });

  const query = `?api=${encodeURIComponent(api)}&idp=${encodeURIComponent(IDP_URL)}`;
  const pageOrigin = new URL(PAGE_URL).origin;

  await step(`open the page at ${pageOrigin} and sign in`, async () => {
    const res = await page.goto(PAGE_URL + '/' + query, { waitUntil: 'load' });
    check(res.status() === 200, `GET ${PAGE_URL}/ answered ${res.status()}`);
    const [token] = await Promise.all([
      page.waitForResponse((r) => r.url() === IDP_URL + '/token'),
      page.locator('#sign-in').click(),
    ]);
    check(token.status() === 200, `the token endpoint answered ${token.status()}`);
    await page.locator('#session', { hasText: 'coordenacao-horizonte' }).waitFor();
  });

  const first = await step('load the report: GraphQL rows and the CSV download', async () => {
    const responses = await load(page, 1, 'done');
    check(responses.length === 2, `${responses.length} report responses, want 2`);
    for (const r of responses) {
      check(r.status() === 200, `${r.request().method()} ${r.url()} answered ${r.status()}`);
      check(r.headers()['access-control-allow-origin'] === pageOrigin,
        `${r.url()}: Access-Control-Allow-Origin ${r.headers()['access-control-allow-origin']}, want ${pageOrigin}`);
    }
    return responses;
  });

  await step(`the table shows rows of ${SCHOOL_NAME} only`, async () => {
    const rows = await pageRows(page);
    const total = Number(await page.locator('#summary').getAttribute('data-total'));
    check(rows.length > 0, 'the table is empty');
    check(rows.length === Math.min(total, 100), `${rows.length} rows shown of ${total}`);
    const schools = [...new Set(rows.map((r) => r[0]))];
    check(schools.length === 1 && schools[0] === SCHOOL_NAME, `the table shows schools ${JSON.stringify(schools)}, want only ${SCHOOL_NAME}`);
    const gql = await first.find((r) => r.url() === graphqlURL).json();
    check(gql.data.viewer.scope === 'SCHOOLS', `viewer.scope ${gql.data.viewer.scope}, want SCHOOLS`);
    const other = await page.getByText(OTHER_SCHOOL_NAME).count();
    check(other === 0, `the page shows ${OTHER_SCHOOL_NAME} ${other} times`);
    log(`     ${rows.length} rows shown of ${total}, all of ${SCHOOL_NAME}`);
  });

  await step('the download: file name from Content-Disposition, the same rows', async () => {
    const csv = first.find((r) => r.url() === restURL);
    const disposition = csv.headers()['content-disposition'];
    const exposed = (csv.headers()['access-control-expose-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
    check(exposed.includes('content-disposition'), `Access-Control-Expose-Headers ${csv.headers()['access-control-expose-headers']}`);
    const m = /filename="([^"]+)"/.exec(disposition ?? '');
    check(m, `Content-Disposition ${disposition}`);
    const link = page.locator('#download');
    check(await link.textContent() === m[1], `the page shows the file ${await link.textContent()}, the API sent ${m[1]}`);
    check(await link.getAttribute('download') === m[1], 'the link does not download under that name');
    check(/^questions-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/.test(m[1]), `file name ${m[1]}`);
    const summary = page.locator('#download-summary');
    const rows = Number(await summary.getAttribute('data-rows'));
    const total = Number(await page.locator('#summary').getAttribute('data-total'));
    check(rows === total, `the CSV has ${rows} rows, GraphQL counted ${total}`);
    const schools = JSON.parse(await summary.getAttribute('data-schools'));
    check(JSON.stringify(schools) === JSON.stringify([SCHOOL_NAME]), `the CSV holds schools ${JSON.stringify(schools)}`);
    // The link saves the response under that name, as a person's click
    // does; the file is what the API answers that request. (Playwright
    // reads this streamed attachment's body as empty, so the request is
    // sent again, from here, to compare.)
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    check(download.suggestedFilename() === m[1], `the browser saves the file as ${download.suggestedFilename()}`);
    const saved = join(browser.dir, 'download.csv');
    await download.saveAs(saved);
    const file = readFileSync(saved);
    const again = await fetch(restURL, { method: 'POST', body: csv.request().postData(), headers: {
      Authorization: csv.request().headers().authorization, 'Content-Type': 'application/json', Accept: 'text/csv' } });
    check(again.status === 200 && file.equals(Buffer.from(await again.arrayBuffer())), 'the saved file differs from the API\'s answer');
    check(file.includes(SCHOOL_NAME) && !file.includes(OTHER_SCHOOL_NAME), `the file does not name ${SCHOOL_NAME} only`);
    log(`     ${m[1]}: ${rows} rows`);
  });

  await step('one preflight per report URL, with Access-Control-Max-Age', async () => {
    const seen = preflights.filter((p) => p.phase === 'allowed');
    check(seen.length === 2, `${seen.length} preflights: ${JSON.stringify(seen.map((p) => p.url))}, want 2`);
    for (const url of reportURLs) {
      const p = seen.find((x) => x.url === url);
      check(p, `no preflight of ${url}`);
      check(p.status === 204, `preflight of ${url}: status ${p.status}`);
      check(p.headers['access-control-allow-origin'] === pageOrigin, `preflight of ${url}: Access-Control-Allow-Origin ${p.headers['access-control-allow-origin']}`);
      check(Number(p.headers['access-control-max-age']) > 0, `preflight of ${url}: Access-Control-Max-Age ${p.headers['access-control-max-age']}`);
      log(`     OPTIONS ${new URL(url).pathname}: ${p.status}, Access-Control-Max-Age ${p.headers['access-control-max-age']}`);
    }
    for (const path of ['/graphql', '/reports/questions']) {
      const n = await logged('OPTIONS', path, 1);
      check(n === 1, `the server logged ${n} OPTIONS ${path}, want 1`);
    }
  });

  await step('load again: the same requests, no preflight (cached)', async () => {
    const responses = await load(page, 2, 'done');
    check(responses.length === 2 && responses.every((r) => r.status() === 200),
      `report responses: ${responses.map((r) => r.status())}`);
    const seen = preflights.filter((p) => p.phase === 'allowed');
    check(seen.length === 2, `${seen.length - 2} more preflights: ${JSON.stringify(seen.slice(2).map((p) => p.url))}`);
    // Two loads of the page, and the download's request sent again from here.
    for (const [method, path, want] of [['OPTIONS', '/graphql', 1], ['OPTIONS', '/reports/questions', 1], ['POST', '/graphql', 2], ['POST', '/reports/questions', 3]]) {
      const n = await logged(method, path, want);
      check(n === want, `the server logged ${n} ${method} ${path}, want ${want}`);
    }
  });

  await page.screenshot({ path: join(outDir, 'cors.png'), fullPage: false });
  log(`     screenshot: ${join(outDir, 'cors.png')}`);

  phase = 'blocked';
  const blockedOrigin = new URL(BLOCKED_PAGE_URL).origin;
  await step(`the same page at ${blockedOrigin}, which the API does not allow, is refused`, async () => {
    const res = await page.goto(BLOCKED_PAGE_URL + '/' + query, { waitUntil: 'load' });
    check(res.status() === 200, `GET ${BLOCKED_PAGE_URL}/ answered ${res.status()}`);
    await page.locator('#sign-in').click();
    await page.locator('#session', { hasText: 'coordenacao-horizonte' }).waitFor();
    const posts = countLogged('POST', '/graphql') + countLogged('POST', '/reports/questions');
    const options = countLogged('OPTIONS', '/graphql') + countLogged('OPTIONS', '/reports/questions');
    const responses = await load(page, 1, 'error');
    check(responses.length === 0, `the page got ${responses.length} report responses`);
    const seen = preflights.filter((p) => p.phase === 'blocked');
    check(seen.length === 2, `${seen.length} preflights from the blocked page, want 2`);
    for (const p of seen) {
      check(p.origin === blockedOrigin, `preflight sent with Origin ${p.origin}`);
      const cors = Object.keys(p.headers).filter((h) => h.startsWith('access-control-'));
      check(cors.length === 0, `preflight of ${p.url} answered with ${cors.join(', ')}`);
    }
    check(await logged('OPTIONS', '/graphql', 2) + await logged('OPTIONS', '/reports/questions', 2) === options + 2,
      'the server did not log the two preflights from the blocked origin');
    check(countLogged('POST', '/graphql') + countLogged('POST', '/reports/questions') === posts,
      'a report request from the blocked origin reached the server');
    const blocked = expectedConsole.filter((t) => t.includes(`from origin '${blockedOrigin}' has been blocked by CORS policy`));
    check(blocked.length === 2, `${blocked.length} CORS errors in the console, want 2 (one per call)`);
    const status = await page.locator('#status').textContent();
    log(`     the page says: ${status}`);
  });
  await page.screenshot({ path: join(outDir, 'cors-blocked.png') });
} catch (err) {
  failed = true;
  console.error(`cors: ${err.stack ?? err}`);
  if (browser) {
    const shot = join(outDir, phase === 'blocked' ? 'cors-blocked.png' : 'cors.png');
    try {
      await browser.page.screenshot({ path: shot });
      log(`     screenshot of the failure: ${shot}`);
    } catch {}
  }
} finally {
  await browser?.close();
}
for (const p of problems) console.error(`  PROBLEM ${p}`);
if (failed || problems.length) {
  console.error('cors: FAILED');
  process.exit(1);
}
console.log('cors: the page on another origin showed its school\'s rows and the download\'s name; the other origin was refused');
