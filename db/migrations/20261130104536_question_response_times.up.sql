-- modify "questions" table
ALTER TABLE "questions" ADD COLUMN "response_minutes" double precision NULL, ADD COLUMN "adjusted_response_minutes" double precision NULL;
