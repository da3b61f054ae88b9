// bench/graphql/graphile.config.mjs: PostGraphile 5 as bench/graphql.sh runs
// it, copied next to its node_modules ($BENCH_WORK/postgraphile). The amber
// preset with @graphile/pg-aggregates over the schema public; production
// settings: no GraphiQL (Ruru), no watch mode, no explain. The environment
// gives DATABASE_URL, PORT and PG_POOL_MAX (the pool: bench/graphql.sh sets
// it to our server's maximum of open connections, so both have the same).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgAggregatesPreset } from "@graphile/pg-aggregates";

export default {
  extends: [PostGraphileAmberPreset, PgAggregatesPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      // Sessions in UTC: pg-aggregates truncates created_at to a day in
      // the session's time zone, and ours is asked for UTC days.
      poolConfig: { max: Number(process.env.PG_POOL_MAX), options: "-c TimeZone=UTC" },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};
