-- create "exports" table: the asynchronous exports (docs/exports.md), each
-- the report request it replays, the principal and scope that asked, its
-- state and, once done, its file's size, type, name and ETag.
CREATE TABLE "exports" (
  "id" uuid NOT NULL,
  "owner_id" uuid NOT NULL,
  "principal" text NOT NULL,
  "report" character varying NOT NULL,
  "format" character varying NOT NULL,
  "method" character varying NOT NULL,
  "path" character varying NOT NULL,
  "raw_query" text NOT NULL DEFAULT '',
  "header" text NOT NULL,
  "body" bytea NOT NULL,
  "state" character varying NOT NULL,
  "row_count" bigint NOT NULL DEFAULT 0,
  "size" bigint NOT NULL DEFAULT 0,
  "chunk_size" integer NOT NULL,
  "content_type" character varying NOT NULL DEFAULT '',
  "disposition" text NOT NULL DEFAULT '',
  "etag" character varying NOT NULL DEFAULT '',
  "reason" text NOT NULL DEFAULT '',
  "asked_at" timestamptz NOT NULL,
  "started_at" timestamptz NULL,
  "finished_at" timestamptz NULL,
  "expires_at" timestamptz NOT NULL,
  PRIMARY KEY ("id")
);
-- create index "exports_owner_id_state" to table: "exports"
CREATE INDEX "exports_owner_id_state" ON "exports" ("owner_id", "state");
-- create index "exports_expires_at" to table: "exports"
CREATE INDEX "exports_expires_at" ON "exports" ("expires_at");
-- create "export_chunks" table: an export's file, in chunks of the export's
-- chunk_size bytes (the last one shorter), numbered from 0.
CREATE TABLE "export_chunks" (
  "export_id" uuid NOT NULL,
  "seq" integer NOT NULL,
  "data" bytea NOT NULL,
  PRIMARY KEY ("export_id", "seq"),
  CONSTRAINT "export_chunks_export_id" FOREIGN KEY ("export_id") REFERENCES "exports" ("id") ON DELETE CASCADE
);
-- XLSX files are zip archives already: stored out of line without trying to
-- compress them again.
ALTER TABLE "export_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
