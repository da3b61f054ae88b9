-- create collation "stift_pt_br": the order of text in the reports,
-- Portuguese as a Brazilian reader sorts it (db.TextCollation). ICU's pt-BR
-- where the server has ICU (Debian's, the official images and the managed
-- services all do); a server built without ICU gets byte order under the
-- same name, so that the reports still run, and this warning.
DO $$
BEGIN
  CREATE COLLATION "stift_pt_br" (provider = icu, locale = 'pt-BR');
EXCEPTION WHEN feature_not_supported THEN
  RAISE WARNING 'this PostgreSQL has no ICU: stift-reports sorts text byte by byte (collation stift_pt_br is "C")';
  CREATE COLLATION "stift_pt_br" (provider = libc, locale = 'C');
END
$$;
