-- Baseline of POST /reports/bookings (CSV), PostgreSQL: the 23 columns of
-- export.BookingColumns, as report.Bookings + BookingRow.Legacy, statuses
-- at now() (the server uses its clock too), times in the school's zone.
-- Run as psql -c "\copy (<one line>) TO STDOUT WITH CSV HEADER".
-- Differences: headers are the JSON keys, not the Portuguese headers;
-- empty strings are quoted ("") by psql; export.Sanitize is not applied.
SELECT b.id, s.name AS school_name,
  to_char(b.created_at AT TIME ZONE s.timezone, 'DD/MM/YYYY HH24:MI') AS created_at,
  to_char(b.scheduled_for AT TIME ZONE s.timezone, 'DD/MM/YYYY HH24:MI') AS scheduled_for,
  to_char(b.meeting_started_at AT TIME ZONE s.timezone, 'DD/MM/YYYY HH24:MI') AS start_time,
  to_char(b.meeting_ended_at AT TIME ZONE s.timezone, 'DD/MM/YYYY HH24:MI') AS end_time,
  CAST(TRUNC(EXTRACT(EPOCH FROM b.meeting_ended_at - b.meeting_started_at) / 60) AS BIGINT) AS duration,
  st.external_id AS student_external_id,
  CASE WHEN st.first_name = '' THEN st.last_name WHEN st.last_name = '' THEN st.first_name
       ELSE st.first_name || ' ' || st.last_name END AS student_name,
  st.email AS student_email,
  CASE WHEN t.first_name = '' THEN t.last_name WHEN t.last_name = '' THEN t.first_name
       ELSE t.first_name || ' ' || t.last_name END AS teacher_name,
  t.email AS teacher_email, g.name AS group_name, d.name AS discipline_name,
  r.name AS booking_room_name,
  CASE r.modal WHEN 'ONLINE' THEN 'Online' WHEN 'PRESENCIAL' THEN 'Presencial' WHEN 'HIBRIDO' THEN 'Híbrido' END AS booking_room_modal,
  round(b.rating_by_student::numeric, 1) AS rating_by_student,
  round(b.rating_by_teacher::numeric, 1) AS rating_by_teacher,
  round(b.call_quality_rating_by_student::numeric, 1) AS call_quality_rating_by_student,
  round(b.call_quality_rating_by_teacher::numeric, 1) AS call_quality_rating_by_teacher,
  CASE
    WHEN b.cancelled_at IS NOT NULL AND b.cancelled_by_id = b.student_id THEN
      CASE WHEN b.scheduled_for IS NOT NULL AND b.cancelled_at <= b.scheduled_for - s.min_cancel_hours * INTERVAL '1 hour'
      THEN 'Cancelado dentro do prazo' ELSE 'Cancelado fora do prazo' END
    WHEN b.cancelled_at IS NOT NULL THEN 'Cancelado'
    WHEN b.meeting_started_at IS NOT NULL THEN 'Presente'
    WHEN b.scheduled_for IS NULL THEN CASE
      WHEN b.left_queue_at IS NOT NULL THEN 'Saiu da fila'
      WHEN b.queued_at >= (date_trunc('day', now() AT TIME ZONE s.timezone) AT TIME ZONE s.timezone)
       AND b.queued_at < ((date_trunc('day', now() AT TIME ZONE s.timezone) + INTERVAL '1 day') AT TIME ZONE s.timezone) THEN 'Na fila'
      ELSE 'Não realizado' END
    WHEN b.scheduled_for < now() THEN 'Faltou'
    ELSE 'Pendente' END AS status,
  to_char(b.cancelled_at AT TIME ZONE s.timezone, 'DD/MM/YYYY HH24:MI') AS cancelled_at,
  CASE WHEN cb.first_name = '' THEN cb.last_name WHEN cb.last_name = '' THEN cb.first_name
       ELSE cb.first_name || ' ' || cb.last_name END AS cancelled_by_name
FROM bookings b
JOIN schools s ON s.id = b.school_id
JOIN groups g ON g.id = b.group_id
JOIN users st ON st.id = b.student_id
LEFT JOIN users t ON t.id = b.teacher_id
JOIN disciplines d ON d.id = b.discipline_id
LEFT JOIN booking_rooms r ON r.id = b.booking_room_id
LEFT JOIN users cb ON cb.id = b.cancelled_by_id
WHERE (b.scheduled_for >= :'from' AND b.scheduled_for <= :'to')
   OR (b.scheduled_for IS NULL AND b.created_at >= :'from' AND b.created_at <= :'to')
ORDER BY COALESCE(b.scheduled_for, b.created_at), b.id
