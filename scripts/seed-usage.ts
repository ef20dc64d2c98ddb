/**
 * Seeds a gateway database with synthetic usage: keys, teams, priced models, and N usage records spread
 * over the last D days, written by INSERT ... SELECT FROM generate_series in chunks, so the rollup
 * trigger builds UsageHourly exactly as it does for the recorder's batches.
 *
 * Usage: npx tsx scripts/seed-usage.ts --database-url postgresql://127.0.0.1:5432/scratch --rows 10000000
 *   [--days 30] [--keys 200] [--models 12] [--teams 10] [--chunk 500000] [--wide]
 * The database must be migrated (the gateway's start-up or applyMigrations does it). Never point it at
 * a database whose usage you care about: the rows are made up.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';

export interface SeedOptions {
  connectionString: string;
  rows: number;
  days?: number;
  keys?: number;
  models?: number;
  teams?: number;
  chunk?: number;
  /**
   * Which models a key uses: 'typical' (default), a main model for 80% of its requests, a second for 15%
   * and a third for 5%; 'wide', any of them (a key uses most models every hour: many more rollup rows).
   */
  spread?: 'typical' | 'wide';
  /** The end of the seeded range (default now). */
  end?: Date;
  log?: (line: string) => void;
}

/** Writes the rows; returns how long it took. Keys, teams and models are created once and reused. */
export async function seedUsage({
  connectionString,
  rows,
  days = 30,
  keys = 200,
  models = 12,
  teams = 10,
  chunk = 500_000,
  spread = 'typical',
  end = new Date(),
  log = () => {},
}: SeedOptions): Promise<{ ms: number }> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  const started = Date.now();
  try {
    await c.query(`SET statement_timeout = 0`);
    await c.query(
      `INSERT INTO "Team" ("id", "name", "updatedAt") SELECT 'seed-team-' || t, 'Seed team ' || t, now() FROM generate_series(0, $1::int - 1) t ON CONFLICT DO NOTHING`,
      [teams],
    );
    // Every fifth key has no team.
    await c.query(
      `INSERT INTO "ApiKey" ("id", "name", "prefix", "hash", "teamId", "updatedAt")
       SELECT 'seed-key-' || k, 'Seed key ' || k, 'ogw_seed' || k, 'seed-hash-' || k,
              CASE WHEN k % 5 = 0 OR $2::int = 0 THEN NULL ELSE 'seed-team-' || (k % greatest($2::int, 1)) END, now()
       FROM generate_series(0, $1::int - 1) k ON CONFLICT DO NOTHING`,
      [keys, teams],
    );
    // Half the models are priced, so reports show cost for some and none for others.
    await c.query(
      `INSERT INTO "Model" ("id", "name", "provider", "promptPricePerMTok", "completionPricePerMTok", "updatedAt")
       SELECT 'seed-model-' || m || ':7b', 'Seed model ' || m, 'ollama',
              CASE WHEN m % 2 = 0 THEN 0.1 * (m + 1) END, CASE WHEN m % 2 = 0 THEN 0.3 * (m + 1) END, now()
       FROM generate_series(0, $1::int - 1) m ON CONFLICT DO NOTHING`,
      [models],
    );
    const run = randomBytes(4).toString('hex');
    const endMs = end.getTime();
    for (let done = 0; done < rows; done += chunk) {
      const n = Math.min(chunk, rows - done);
      // In time order, as a gateway writes them. A few keys make most requests (random()^2).
      const offset = spread === 'wide' ? 'floor(s.mr ^ 4 * $8::int)::int' : 'CASE WHEN s.mr < 0.8 THEN 0 WHEN s.mr < 0.95 THEN 1 ELSE 2 END';
      await c.query(
        `INSERT INTO "UsageRecord" ("id", "apiKeyId", "teamId", "model", "surface", "endpoint", "status", "error", "stream",
                                    "promptTokens", "completionTokens", "latencyMs", "ttftMs", "queueWaitMs", "upstream", "createdAt")
         SELECT 'seed-' || $1 || '-' || g, 'seed-key-' || k,
                CASE WHEN k % 5 = 0 OR $5::int = 0 THEN NULL ELSE 'seed-team-' || (k % greatest($5::int, 1)) END,
                'seed-model-' || m || ':7b',
                (ARRAY['rest', 'openai', 'ollama', 'graphql'])[1 + (g % 4)], '/api/chat',
                CASE WHEN r < 0.97 THEN 200 WHEN r < 0.99 THEN 499 ELSE 502 END,
                CASE WHEN r >= 0.99 THEN 'upstream error' END, g % 3 = 0,
                20 + (random() * 2000)::int, 1 + (random() * 1000)::int, 100 + (random() * 10000)::int,
                CASE WHEN r < 0.97 THEN 20 + (random() * 500)::int END, (random() * 50)::int,
                'gpu-' || (m % 3), to_timestamp(($2::float8 - $3::float8 * (1 - (g + random()) / $9::float8)) / 1000) AT TIME ZONE 'UTC'
         FROM (SELECT g, floor($4::int * random() ^ 2)::int AS k, random() AS r, random() AS mr
               FROM generate_series($6::bigint, $6::bigint + $7::int - 1) g) s,
              LATERAL (SELECT ((s.k * 7 + ${offset}) % $8::int) AS m) mm`,
        [run, endMs, days * 86_400_000, keys, teams, done, n, models, rows],
      );
      log(`seeded ${done + n} of ${rows} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    for (const table of ['UsageRecord', 'UsageHourly', 'UsageDaily']) await c.query(`VACUUM ANALYZE "${table}"`);
  } finally {
    await c.end();
  }
  return { ms: Date.now() - started };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      rows: { type: 'string', default: '1000000' },
      days: { type: 'string', default: '30' },
      keys: { type: 'string', default: '200' },
      models: { type: 'string', default: '12' },
      teams: { type: 'string', default: '10' },
      chunk: { type: 'string', default: '500000' },
      wide: { type: 'boolean', default: false },
    },
  });
  const url = values['database-url'];
  if (!url) {
    console.error('--database-url is required (a migrated gateway database)');
    process.exit(2);
  }
  const { ms } = await seedUsage({
    connectionString: url,
    rows: Number(values.rows),
    days: Number(values.days),
    keys: Number(values.keys),
    models: Number(values.models),
    teams: Number(values.teams),
    chunk: Number(values.chunk),
    spread: values.wide ? 'wide' : 'typical',
    log: (l) => console.log(l),
  });
  console.log(`done in ${(ms / 1000).toFixed(1)} s`);
}
