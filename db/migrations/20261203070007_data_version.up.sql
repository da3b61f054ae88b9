-- create table "data_version": one row whose version counts the changes to
-- the tables reports read (db/watermark.go), so that a report's answer can
-- be revalidated (ETag, If-None-Match) by reading one row. salt keys the
-- hashes made of it; it never leaves the server.
CREATE TABLE "data_version" (
  "id" integer NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "version" bigint NOT NULL,
  "salt" text NOT NULL
);
INSERT INTO "data_version" ("id", "version", "salt") VALUES (1, 0, replace(gen_random_uuid()::text, '-', ''));
-- create function "data_version_bump": the trigger of every watched table,
-- once per statement, in the statement's transaction.
CREATE FUNCTION "data_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "data_version" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "availability_slots" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "booking_room_disciplines" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "booking_rooms" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "bookings" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "disciplines" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "group_students" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "group_teachers" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "groups" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "nps_answers" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "questions" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "schools" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "subjects" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "user_disciplines" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"();
