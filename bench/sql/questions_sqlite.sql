-- Baseline of POST /reports/questions (CSV), SQLite: as questions_pg.sql,
-- run as `sqlite3 -csv -header FILE < this` with :'from' and :'to' replaced
-- by the stored text form of the bounds ('2025-06-15 00:00:00+00:00').
-- SQLite stores times as text in that one format (UTC, +00:00), so text
-- comparison is time comparison, as in the server's own query.
-- Differences: export.Sanitize is not applied.
SELECT q.id AS question_id, s.name AS school, g.name AS "group",
  CASE WHEN q.anonymous THEN NULL ELSE st.id END AS student_id,
  CASE WHEN q.anonymous THEN 'Anônimo'
       WHEN st.first_name = '' THEN st.last_name WHEN st.last_name = '' THEN st.first_name
       ELSE st.first_name || ' ' || st.last_name END AS student_name,
  CASE WHEN q.anonymous THEN NULL ELSE st.email END AS student_email,
  t.id AS teacher_id,
  CASE WHEN t.first_name = '' THEN t.last_name WHEN t.last_name = '' THEN t.first_name
       ELSE t.first_name || ' ' || t.last_name END AS teacher_name,
  t.email AS teacher_email,
  d.name AS question_discipline, sub.name AS question_subject,
  strftime('%Y-%m-%dT%H:%M:%fZ', q.created_at) AS question_created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', q.answered_at) AS question_answered_at,
  CASE WHEN q.cancelled_at IS NOT NULL THEN 'Cancelada'
       WHEN q.reply_answered_at IS NOT NULL OR q.reply_answer_description IS NOT NULL THEN 'Réplica respondida'
       WHEN q.reply_created_at IS NOT NULL OR q.reply_description IS NOT NULL THEN 'Réplica pendente'
       WHEN q.answered_at IS NOT NULL THEN 'Respondida'
       ELSE 'Pendente' END AS question_status,
  CASE WHEN q.anonymous THEN 'true' ELSE 'false' END AS question_anonymous,
  q.description AS question_description, q.answer_description, q.reply_description, q.reply_answer_description,
  q.answer_rating,
  CASE WHEN q.answer_understood THEN 'true' WHEN NOT q.answer_understood THEN 'false' END AS answer_understood,
  q.answer_comment,
  CASE WHEN q.has_seen_answer THEN 'true' ELSE 'false' END AS has_seen_answer,
  'https://portal.stift.com.br/#/questions/' || q.id || '/' AS link
FROM questions q
JOIN groups g ON g.id = q.group_id
JOIN schools s ON s.id = g.school_id
JOIN users st ON st.id = q.student_id
LEFT JOIN users t ON t.id = q.teacher_id
JOIN disciplines d ON d.id = q.discipline_id
LEFT JOIN subjects sub ON sub.id = q.subject_id
WHERE q.created_at >= :'from' AND q.created_at <= :'to'
ORDER BY q.created_at, q.id;
