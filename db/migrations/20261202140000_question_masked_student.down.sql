-- reverse: create index "question_masked_student_id" to table: "questions"
DROP INDEX "question_masked_student_id";
