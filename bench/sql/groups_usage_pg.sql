-- Baseline of POST /reports/groups-usage (JSON, show_teachers and
-- show_disciplines): the statements report.GroupsUsageReport runs (summary,
-- per-discipline counts, rating and NPS histograms, students with their
-- questions, teachers, disciplines and top subjects), run by
-- `psql -X -A -t -f` with :'from', :'to' and :'gids' (a uuid[] literal)
-- replaced. psql prints rows as text; the JSON document is not assembled.
\set ON_ERROR_STOP 1
CREATE TEMP TABLE sel AS SELECT unnest(CAST(:'gids' AS uuid[])) AS id;
SELECT
  (SELECT COUNT(*) FROM questions q WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'),
  (SELECT AVG(q.adjusted_response_minutes) FROM questions q WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'),
  (SELECT AVG(CAST(q.answer_rating AS DOUBLE PRECISION)) FROM questions q WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'),
  (SELECT COUNT(DISTINCT gs.user_id) FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel)),
  (SELECT COUNT(DISTINCT q.student_id) FROM questions q WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'
     AND q.student_id IN (SELECT gs.user_id FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel)));
SELECT d.name, COUNT(*) FROM questions q JOIN disciplines d ON d.id = q.discipline_id
  WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'
  GROUP BY d.id, d.name ORDER BY COUNT(*) DESC, d.name COLLATE "C";
SELECT q.answer_rating, COUNT(*) FROM questions q
  WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to' AND q.answer_rating IS NOT NULL
  GROUP BY q.answer_rating ORDER BY q.answer_rating;
SELECT n.kind, AVG(CAST(n.score AS DOUBLE PRECISION)) FROM nps_answers n
  WHERE n.created_at >= :'from' AND n.created_at <= :'to'
    AND n.user_id IN (SELECT gs.user_id FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel)
                      UNION SELECT gt.user_id FROM group_teachers gt WHERE gt.group_id IN (SELECT id FROM sel))
  GROUP BY n.kind;
SELECT n.score, COUNT(*) FROM nps_answers n
  WHERE n.created_at >= :'from' AND n.created_at <= :'to' AND n.kind = 'PLATFORM'
    AND n.user_id IN (SELECT gs.user_id FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel)
                      UNION SELECT gt.user_id FROM group_teachers gt WHERE gt.group_id IN (SELECT id FROM sel))
  GROUP BY n.score ORDER BY n.score;
-- students, a row per question (or one for a student without any)
SELECT u.id, u.first_name, u.last_name, u.email, u.created_at, u.blocked_at, u.deleted_at,
  m.groups, d.id, d.name, sub.id, sub.name
FROM (SELECT j.user_id, string_agg(g.name, chr(31) ORDER BY g.name COLLATE "C") AS groups
      FROM group_students j JOIN groups g ON g.id = j.group_id
      WHERE j.group_id IN (SELECT id FROM sel) GROUP BY j.user_id) m
JOIN users u ON u.id = m.user_id
LEFT JOIN questions q ON q.student_id = u.id AND q.group_id IN (SELECT id FROM sel)
  AND q.created_at >= :'from' AND q.created_at <= :'to' AND q.anonymous = false
LEFT JOIN disciplines d ON d.id = q.discipline_id
LEFT JOIN subjects sub ON sub.id = q.subject_id
ORDER BY u.first_name COLLATE "C", u.last_name COLLATE "C", u.id, q.created_at, q.id;
-- teachers
SELECT u.id, u.first_name, u.last_name, u.email, u.created_at, u.blocked_at, u.deleted_at,
  m.groups,
  (SELECT string_agg(d.name, chr(31) ORDER BY d.name COLLATE "C") FROM user_disciplines ud JOIN disciplines d ON d.id = ud.discipline_id
     WHERE ud.user_id = u.id),
  (SELECT COUNT(*) FROM questions q WHERE q.teacher_id = u.id AND q.answered_at IS NOT NULL
     AND q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'),
  (SELECT AVG(q.response_minutes) FROM questions q WHERE q.teacher_id = u.id AND q.answered_at IS NOT NULL
     AND q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to')
FROM (SELECT j.user_id, string_agg(g.name, chr(31) ORDER BY g.name COLLATE "C") AS groups
      FROM group_teachers j JOIN groups g ON g.id = j.group_id
      WHERE j.group_id IN (SELECT id FROM sel) GROUP BY j.user_id) m
JOIN users u ON u.id = m.user_id
ORDER BY u.first_name COLLATE "C", u.last_name COLLATE "C", u.id;
-- disciplines and their top subjects
SELECT q.discipline_id, sub.name, COUNT(*) FROM questions q JOIN subjects sub ON sub.id = q.subject_id
  WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'
  GROUP BY q.discipline_id, sub.id, sub.name ORDER BY COUNT(*) DESC, sub.name COLLATE "C";
SELECT d.id, d.name, COUNT(*), AVG(q.response_minutes) FROM questions q JOIN disciplines d ON d.id = q.discipline_id
  WHERE q.group_id IN (SELECT id FROM sel) AND q.created_at >= :'from' AND q.created_at <= :'to'
  GROUP BY d.id, d.name ORDER BY COUNT(*) DESC, d.name COLLATE "C";
