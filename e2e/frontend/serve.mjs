// Serves the frontend page of the cross-origin check (index.html, app.js,
// style.css: nothing else of this directory) on two origins, each a free
// port of 127.0.0.1: the frontend's, which the API is told to allow, and
// another one, which it is not. Prints
//
//   allowed http://127.0.0.1:PORT
//   blocked http://127.0.0.1:PORT
//
// and serves until killed. Usage: node e2e/frontend/serve.mjs
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const page = (name, type) => ({ body: readFileSync(join(dir, name)), type });
const files = new Map([
  ['/', page('index.html', 'text/html; charset=utf-8')],
  ['/index.html', page('index.html', 'text/html; charset=utf-8')],
  ['/app.js', page('app.js', 'text/javascript; charset=utf-8')],
  ['/style.css', page('style.css', 'text/css; charset=utf-8')],
]);

function handle(req, res) {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('GET or HEAD\n');
    return;
  }
  let path;
  try {
    path = new URL(req.url, 'http://page').pathname;
  } catch {
    path = '';
  }
  const f = files.get(path);
  if (!f) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': f.type, 'Content-Length': f.body.length });
  res.end(req.method === 'HEAD' ? undefined : f.body);
}

for (const name of ['allowed', 'blocked']) {
  const srv = createServer(handle);
  await new Promise((ok, fail) => srv.once('error', fail).listen(0, '127.0.0.1', ok));
  console.log(`${name} http://127.0.0.1:${srv.address().port}`);
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
