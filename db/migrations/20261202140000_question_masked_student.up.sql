-- create index "question_masked_student_id" to table: "questions"
-- The student id as a token that may not reveal anonymous askers reads it
-- (auth.maskAnonymousAskers): filters on it stay indexed.
CREATE INDEX "question_masked_student_id" ON "questions" ((CASE WHEN anonymous THEN NULL ELSE student_id END));
