-- reverse: create "export_chunks" table
DROP TABLE "export_chunks";
-- reverse: create "exports" table
DROP TABLE "exports";
