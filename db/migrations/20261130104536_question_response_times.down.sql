-- reverse: modify "questions" table
ALTER TABLE "questions" DROP COLUMN "adjusted_response_minutes", DROP COLUMN "response_minutes";
