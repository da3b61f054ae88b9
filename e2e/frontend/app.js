// A browser frontend on another origin than the API, as a school's
// coordination panel would be: it signs in at the identity provider, then
// calls the API with the user's token through CORS, once through GraphQL
// (the questions report, shown as a table) and once through the legacy REST
// endpoint as a CSV download (its file name read from the exposed
// Content-Disposition header). No build step, no library.
//
// The page's query string names the other origins: ?api=http://…&idp=http://…
// (&days=N, the period: the last N days, 30 by default).
//
// The sign-in is the identity provider stand-in's (e2e/idp): its token
// endpoint hands out the token of one configured user. A real frontend gets
// the same kind of token from its provider's authorization code flow with
// PKCE (docs/auth.md, "A browser frontend on another origin").

const params = new URLSearchParams(location.search);
const api = params.get('api');
const idp = params.get('idp');
const days = Number(params.get('days') ?? 30);

const $ = (id) => document.getElementById(id);
let token = null;
let runs = 0;

$('origin').textContent = location.origin;
$('api').textContent = api ?? '(falta ?api=)';
$('idp').textContent = idp ?? '(falta ?idp=)';
$('days').textContent = String(days);

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').dataset.run = String(runs);
  $('status').textContent = text;
}

// signIn gets a token from the provider's token endpoint: a POST without a
// body, which a browser sends without a preflight.
async function signIn() {
  const res = await fetch(new URL('/token', idp), { method: 'POST' });
  if (!res.ok) throw new Error(`o provedor de identidade respondeu ${res.status}`);
  const body = await res.json();
  token = body.access_token;
  const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  $('session').textContent = `Sessão de ${claims.sub}, válida por ${Math.round(body.expires_in / 60)} min.`;
  $('load').disabled = false;
}

const questionsQuery = `query Questions($input: QuestionsReportInput!) {
  viewer { scope }
  questionsReport(input: $input, first: 100) {
    totalCount
    edges { node { school { name } group { name } discipline { name } createdAt statusLabel } }
  }
}`;

// questions asks /graphql for the period's questions report.
async function questions(from, to) {
  const res = await fetch(new URL('/graphql', api), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query: questionsQuery, variables: { input: { from: from.toISOString(), to: to.toISOString() } } }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) throw new Error(`/graphql respondeu ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

// download asks the REST endpoint for the same report as CSV.
async function download(from, to) {
  const res = await fetch(new URL('/reports/questions', api), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/csv' },
    body: JSON.stringify({ start_date: from.getTime(), end_date: to.getTime() }),
  });
  if (!res.ok) throw new Error(`/reports/questions respondeu ${res.status}: ${await res.text()}`);
  const disposition = res.headers.get('Content-Disposition');
  if (!disposition) throw new Error('a resposta não expõe Content-Disposition');
  return { filename: filenameOf(disposition), blob: await res.blob() };
}

// filenameOf reads a Content-Disposition header's file name: filename*
// (RFC 8187, UTF-8) when given, else the quoted filename.
function filenameOf(disposition) {
  const ext = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition);
  if (ext) return decodeURIComponent(ext[1]);
  const quoted = /filename="((?:[^"\\]|\\.)*)"/i.exec(disposition);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  throw new Error(`Content-Disposition sem nome de arquivo: ${disposition}`);
}

// parseCSV splits RFC 4180 text into records (quoted fields may hold
// commas, quotes and line breaks).
function parseCSV(text) {
  const records = [];
  let record = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field); records.push(record); record = []; field = '';
    } else field += c;
  }
  if (field !== '' || record.length) { record.push(field); records.push(record); }
  return records;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function showRows(data) {
  const edges = data.questionsReport.edges;
  const tbody = $('rows').querySelector('tbody');
  tbody.replaceChildren(...edges.map(({ node }) => {
    const tr = document.createElement('tr');
    tr.append(cell(node.school.name), cell(node.group.name), cell(node.discipline.name),
      cell(new Date(node.createdAt).toLocaleString('pt-BR', { timeZone: 'America/Sao_Paulo' })), cell(node.statusLabel));
    return tr;
  }));
  $('summary').textContent = `Escopo ${data.viewer.scope}: ${data.questionsReport.totalCount} perguntas` +
    (edges.length < data.questionsReport.totalCount ? ` (as primeiras ${edges.length} abaixo).` : '.');
  $('summary').dataset.total = String(data.questionsReport.totalCount);
}

async function showDownload({ filename, blob }) {
  const [header, ...records] = parseCSV((await blob.text()).replace(/^\uFEFF/, ''));
  const school = header.indexOf('school');
  const schools = [...new Set(records.map((r) => r[school]))];
  const link = $('download');
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.textContent = filename;
  $('download-summary').textContent = `${records.length} linhas; escolas: ${schools.join(', ') || 'nenhuma'}.`;
  $('download-summary').dataset.rows = String(records.length);
  $('download-summary').dataset.schools = JSON.stringify(schools);
}

// load asks for both at once and shows what each answered.
async function load() {
  runs++;
  setStatus('loading', 'Carregando…');
  const to = new Date();
  const from = new Date(to.getTime() - days * 24 * 60 * 60 * 1000);
  const [gql, csv] = await Promise.allSettled([questions(from, to), download(from, to)]);
  const errors = [];
  if (gql.status === 'fulfilled') showRows(gql.value); else errors.push(`GraphQL: ${gql.reason.message}`);
  if (csv.status === 'fulfilled') await showDownload(csv.value); else errors.push(`REST: ${csv.reason.message}`);
  if (errors.length) setStatus('error', `Falhou: ${errors.join('; ')}`);
  else setStatus('done', `Carregado (${runs}ª vez).`);
}

$('sign-in').addEventListener('click', () => signIn().catch((e) => setStatus('error', `Entrar falhou: ${e.message}`)));
$('load').addEventListener('click', () => load().catch((e) => setStatus('error', `Falhou: ${e.message}`)));
