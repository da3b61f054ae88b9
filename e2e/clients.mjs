// A real GraphQL client (graphql-request) against the typed reports, whose
// rows are compared with the legacy REST endpoints' JSON for the same inputs.
// Exits 1 on any mismatch; prints the counts.
//
// env: STIFT_URL (http://127.0.0.1:PORT), STIFT_TOKEN
import { GraphQLClient, gql } from 'graphql-request';

const base = process.env.STIFT_URL;
const token = process.env.STIFT_TOKEN;
if (!base || !token) {
  console.error('clients: STIFT_URL and STIFT_TOKEN must be set');
  process.exit(2);
}
const auth = { Authorization: `Bearer ${token}` };
const timeout = () => AbortSignal.timeout(30_000);

const client = new GraphQLClient(new URL('/graphql', base).toString(), {
  headers: auth,
  fetch: (input, init) => fetch(input, { ...init, signal: timeout() }),
});

// rest POSTs a JSON body to a legacy report endpoint and returns its JSON.
async function rest(path, body) {
  const res = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    signal: timeout(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${path}: status ${res.status}: ${text.slice(0, 300)}`);
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/json')) throw new Error(`POST ${path}: content-type ${ct}`);
  return JSON.parse(text);
}

// rawID turns a global id (base64url of "Type:rawid") into the raw id REST uses.
function rawID(id) {
  const s = Buffer.from(id, 'base64url').toString('utf8');
  const i = s.indexOf(':');
  if (i < 0) throw new Error(`not a global id: ${id}`);
  return s.slice(i + 1);
}

// paginate follows a connection with first: 100 and after: endCursor to its end.
async function paginate(query, input, field) {
  const ids = [];
  let after = null, totalCount = null, pages = 0;
  for (;;) {
    const data = await client.request(query, { input, first: 100, after });
    const conn = data[field];
    pages++;
    totalCount ??= conn.totalCount;
    for (const e of conn.edges) ids.push(e.node);
    if (!conn.pageInfo.hasNextPage) break;
    if (!conn.pageInfo.endCursor || conn.pageInfo.endCursor === after) throw new Error(`${field}: endCursor does not advance`);
    after = conn.pageInfo.endCursor;
    if (pages > 1000) throw new Error(`${field}: more than 1000 pages`);
  }
  return { rows: ids, totalCount, pages };
}

const failures = [];
function check(label, graphqlValue, restValue) {
  const same = JSON.stringify(graphqlValue) === JSON.stringify(restValue);
  const show = (v) => (Array.isArray(v) ? `${v.length} rows` : JSON.stringify(v));
  console.log(`  ${same ? 'ok ' : 'MISMATCH'} ${label.padEnd(62)} graphql ${show(graphqlValue).padEnd(12)} rest ${show(restValue)}`);
  if (!same) {
    failures.push(label);
    if (Array.isArray(graphqlValue) && Array.isArray(restValue)) {
      const i = graphqlValue.findIndex((v, k) => JSON.stringify(v) !== JSON.stringify(restValue[k]));
      console.log(`      first difference at row ${i}: graphql ${JSON.stringify(graphqlValue[i])} rest ${JSON.stringify(restValue[i])}`);
    }
  }
}
const countBy = (xs, key) => {
  const m = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

const questionsQuery = gql`
  query Questions($input: QuestionsReportInput!, $first: Int, $after: Cursor) {
    questionsReport(input: $input, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { question { id } discipline { name } } }
    }
  }`;
const bookingsQuery = gql`
  query Bookings($input: BookingsReportInput!, $first: Int, $after: Cursor) {
    bookingsReport(input: $input, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { booking { id } } }
    }
  }`;
const statsQuery = gql`
  query Stats($filter: QuestionsReportInput!) {
    questionStats(filter: $filter, groupBy: [DISCIPLINE]) { discipline { name } count }
  }`;
const workloadQuery = gql`
  query Workload { bookingsWorkload { teacher { email } discipline { name } weeklyMinutes } }`;
const groupsQuery = gql`
  query Groups { groups(first: 3) { totalCount edges { node { id name } } } }`;
const usageQuery = gql`
  query Usage($input: GroupsUsageInput!) {
    groupsUsage(input: $input) {
      totalQuestions
      questionsByDiscipline { name count }
      students { student { email } questionsCount }
      teachers { teacher { email } answeredQuestions }
      disciplines { discipline { name } totalQuestions }
    }
  }`;

// The periods compared: all the demo data (the server loaded it as of its
// start: the year before, and sessions booked up to four weeks after), and
// the README's last two weeks. Whole seconds, as the REST dates are
// milliseconds and GraphQL's are RFC 3339.
const day = 24 * 60 * 60 * 1000;
const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const started = Date.now();
const periods = [
  { from: iso(started - 400 * day), to: iso(started + 60 * day) },
  { from: iso(started - 14 * day), to: iso(started) },
];

try {
  for (const { from, to } of periods) {
    const range = { start_date: Date.parse(from), end_date: Date.parse(to) };
    console.log(`\n  period ${from} .. ${to} (start_date ${range.start_date}, end_date ${range.end_date})`);

    // questionsReport, every page, against POST /reports/questions.
    const q = await paginate(questionsQuery, { from, to }, 'questionsReport');
    const restQ = await rest('/reports/questions', range);
    if (restQ.length === 0) failures.push(`questions ${from}: no rows at all (demo data missing?)`);
    check(`questionsReport rows (${q.pages} page(s))`, q.rows.length, restQ.length);
    check('questionsReport totalCount', q.totalCount, restQ.length);
    check('questionsReport question ids, in order', q.rows.map((n) => rawID(n.question.id)), restQ.map((r) => r.question_id));

    // questionStats by discipline against the same REST rows.
    const stats = (await client.request(statsQuery, { filter: { from, to } })).questionStats;
    check('questionStats sum of counts', stats.reduce((s, b) => s + b.count, 0), restQ.length);
    check('questionStats buckets (DISCIPLINE)', stats.length, Object.keys(countBy(restQ, (r) => r.question_discipline)).length);
    check('questionStats count per discipline',
      Object.fromEntries(stats.map((b) => [b.discipline.name, b.count]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      countBy(restQ, (r) => r.question_discipline));

    // bookingsReport, every page, against POST /reports/bookings.
    const b = await paginate(bookingsQuery, { from, to }, 'bookingsReport');
    const restB = await rest('/reports/bookings', range);
    if (restB.length === 0) failures.push(`bookings ${from}: no rows at all (demo data missing?)`);
    check(`bookingsReport rows (${b.pages} page(s))`, b.rows.length, restB.length);
    check('bookingsReport totalCount', b.totalCount, restB.length);
    check('bookingsReport booking ids, in order', b.rows.map((n) => rawID(n.booking.id)), restB.map((r) => r.id));

    // groupsUsage of the first groups against POST /reports/groups-usage.
    const groups = (await client.request(groupsQuery)).groups.edges.map((e) => e.node);
    if (groups.length === 0) throw new Error('no groups');
    const u = (await client.request(usageQuery, {
      input: { from, to, groupIds: groups.map((g) => g.id), showTeachers: true, showDisciplines: true },
    })).groupsUsage;
    const restU = await rest('/reports/groups-usage', {
      ...range, group_ids: groups.map((g) => rawID(g.id)), show_teachers: true, show_disciplines: true,
    });
    const gl = `groupsUsage (${groups.map((g) => g.name).join(', ')})`;
    check(`${gl} totalQuestions`, u.totalQuestions, restU.total_questions);
    check('groupsUsage students', u.students.length, restU.students.length);
    check('groupsUsage teachers', u.teachers.length, restU.teachers.length);
    check('groupsUsage disciplines', u.disciplines.length, restU.disciplines.length);
    check('groupsUsage questions by discipline',
      Object.fromEntries(u.questionsByDiscipline.map((d) => [d.name, d.count])), restU.questions_count_by_discipline);
  }

  // bookingsWorkload (no period) against POST /reports/bookings-workload.
  console.log('\n  workload (every school in scope)');
  const w = (await client.request(workloadQuery)).bookingsWorkload;
  const restW = await rest('/reports/bookings-workload', {});
  if (restW.length === 0) failures.push('workload: no rows at all (demo data missing?)');
  check('bookingsWorkload rows', w.length, restW.length);
  check('bookingsWorkload (email, discipline, minutes)',
    w.map((r) => [r.teacher.email, r.discipline.name, r.weeklyMinutes]),
    restW.map((r) => [r.teacher_email, r.discipline_name, r.weekly_minutes]));
} catch (err) {
  console.error(`clients: ${err.stack ?? err}`);
  if (err.response) console.error(JSON.stringify(err.response.errors ?? err.response).slice(0, 1000));
  process.exit(1);
}

if (failures.length > 0) {
  console.error(`\nclients: ${failures.length} mismatch(es): ${failures.join('; ')}`);
  process.exit(1);
}
console.log('\nclients: GraphQL and REST agree');
