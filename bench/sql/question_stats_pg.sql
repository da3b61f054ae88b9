-- Baseline of GraphQL questionStats(groupBy: [DISCIPLINE], timeBucket: MONTH,
-- timezone: "America/Sao_Paulo"): the same GROUP BY (count, answered,
-- mean/median/p90 response minutes, mean adjusted, mean rating, understood
-- share) with the month computed by PostgreSQL's date_trunc instead of the
-- server's precomputed bucket boundaries. Run by psql as \copy … CSV.
SELECT q.discipline_id,
  date_trunc('month', q.created_at AT TIME ZONE 'America/Sao_Paulo') AT TIME ZONE 'America/Sao_Paulo' AS bucket_start,
  COUNT(*), COUNT(q.answered_at),
  AVG(q.response_minutes),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY q.response_minutes),
  percentile_cont(0.9) WITHIN GROUP (ORDER BY q.response_minutes),
  AVG(q.adjusted_response_minutes),
  AVG(CAST(q.answer_rating AS DOUBLE PRECISION)),
  CAST(AVG(CASE WHEN q.answer_understood THEN 1.0 WHEN NOT q.answer_understood THEN 0.0 END) AS DOUBLE PRECISION)
FROM questions q
JOIN groups g ON g.id = q.group_id
WHERE q.created_at >= :'from' AND q.created_at <= :'to'
GROUP BY 1, 2
ORDER BY 1, 2
