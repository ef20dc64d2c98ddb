-- Usage rollups by UTC hour and by UTC day, kept exactly equal to the raw rows by statement-level
-- triggers, and the per-model price list. Null upstream and teamId are stored as '' in the rollups so
-- that they can be part of the key.
-- No semicolon may appear inside a statement here (not even in a comment): the schema engine's driver
-- adapter splits the script at each one. So function bodies are E'' strings with \073 for it.

-- AlterTable
ALTER TABLE "Model" ADD COLUMN "promptPricePerMTok" DOUBLE PRECISION,
ADD COLUMN "completionPricePerMTok" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "UsageHourly" (
    "hour" TIMESTAMP(3) NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "upstream" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" BIGINT NOT NULL DEFAULT 0,
    "completionTokens" BIGINT NOT NULL DEFAULT 0,
    "latencySum" BIGINT NOT NULL DEFAULT 0,
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftSum" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "UsageHourly_pkey" PRIMARY KEY ("hour","apiKeyId","model","upstream","teamId")
);

-- CreateIndex
CREATE INDEX "UsageHourly_apiKeyId_hour_idx" ON "UsageHourly"("apiKeyId", "hour");

-- CreateIndex
CREATE INDEX "UsageHourly_model_hour_idx" ON "UsageHourly"("model", "hour");

-- CreateIndex
CREATE INDEX "UsageHourly_teamId_hour_idx" ON "UsageHourly"("teamId", "hour");

-- Room in each page for the in-place (HOT) updates every batch makes to the current hour's rows.
ALTER TABLE "UsageHourly" SET (fillfactor = 80);

-- CreateTable
CREATE TABLE "UsageDaily" (
    "day" TIMESTAMP(3) NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "upstream" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" BIGINT NOT NULL DEFAULT 0,
    "completionTokens" BIGINT NOT NULL DEFAULT 0,
    "latencySum" BIGINT NOT NULL DEFAULT 0,
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftSum" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "UsageDaily_pkey" PRIMARY KEY ("day","apiKeyId","model","upstream","teamId")
);

-- CreateIndex
CREATE INDEX "UsageDaily_apiKeyId_day_idx" ON "UsageDaily"("apiKeyId", "day");

-- CreateIndex
CREATE INDEX "UsageDaily_model_day_idx" ON "UsageDaily"("model", "day");

-- CreateIndex
CREATE INDEX "UsageDaily_teamId_day_idx" ON "UsageDaily"("teamId", "day");

-- Room in each page for the in-place (HOT) updates every batch makes to the current day's rows.
ALTER TABLE "UsageDaily" SET (fillfactor = 80);

-- The rows one statement inserted, folded into their hour and their day. The transition table holds
-- only the rows actually inserted (not those that ON CONFLICT DO NOTHING skipped), so a replayed spool
-- counts once, and it runs in the inserting transaction, so a rolled-back batch counts zero. Sorted by
-- the key, so that concurrent batches lock rollup rows in the same order (no deadlock).
CREATE FUNCTION "usage_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN
  INSERT INTO "UsageHourly" AS h ("hour", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''hour'', n."createdAt"), n."apiKeyId", n."model", coalesce(n."upstream", ''''), coalesce(n."teamId", ''''),
         count(*), count(*) FILTER (WHERE n."status" >= 400), coalesce(sum(n."promptTokens"), 0), coalesce(sum(n."completionTokens"), 0),
         coalesce(sum(n."latencyMs"), 0), count(n."ttftMs"), coalesce(sum(n."ttftMs"), 0)
  FROM new_rows n
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("hour", "apiKeyId", "model", "upstream", "teamId") DO UPDATE SET
    "requests" = h."requests" + EXCLUDED."requests",
    "errors" = h."errors" + EXCLUDED."errors",
    "promptTokens" = h."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = h."completionTokens" + EXCLUDED."completionTokens",
    "latencySum" = h."latencySum" + EXCLUDED."latencySum",
    "ttftCount" = h."ttftCount" + EXCLUDED."ttftCount",
    "ttftSum" = h."ttftSum" + EXCLUDED."ttftSum"\073
  INSERT INTO "UsageDaily" AS h ("day", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''day'', n."createdAt"), n."apiKeyId", n."model", coalesce(n."upstream", ''''), coalesce(n."teamId", ''''),
         count(*), count(*) FILTER (WHERE n."status" >= 400), coalesce(sum(n."promptTokens"), 0), coalesce(sum(n."completionTokens"), 0),
         coalesce(sum(n."latencyMs"), 0), count(n."ttftMs"), coalesce(sum(n."ttftMs"), 0)
  FROM new_rows n
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("day", "apiKeyId", "model", "upstream", "teamId") DO UPDATE SET
    "requests" = h."requests" + EXCLUDED."requests",
    "errors" = h."errors" + EXCLUDED."errors",
    "promptTokens" = h."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = h."completionTokens" + EXCLUDED."completionTokens",
    "latencySum" = h."latencySum" + EXCLUDED."latencySum",
    "ttftCount" = h."ttftCount" + EXCLUDED."ttftCount",
    "ttftSum" = h."ttftSum" + EXCLUDED."ttftSum"\073
  RETURN NULL\073
END';

-- An update (the gateway makes none today) moves its rows' old values out and their new ones in.
-- Deletes change nothing: the rollups outlive the raw rows that USAGE_RETENTION_DAYS removes.
CREATE FUNCTION "usage_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN
  INSERT INTO "UsageHourly" AS h ("hour", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''hour'', r."createdAt"), r."apiKeyId", r."model", coalesce(r."upstream", ''''), coalesce(r."teamId", ''''),
         sum(r.sign), coalesce(sum(r.sign) FILTER (WHERE r."status" >= 400), 0), coalesce(sum(r.sign * r."promptTokens"), 0),
         coalesce(sum(r.sign * r."completionTokens"), 0), coalesce(sum(r.sign * r."latencyMs"), 0),
         coalesce(sum(r.sign) FILTER (WHERE r."ttftMs" IS NOT NULL), 0), coalesce(sum(r.sign * r."ttftMs"), 0)
  FROM (SELECT o.*, -1 AS sign FROM old_rows o UNION ALL SELECT n.*, 1 AS sign FROM new_rows n) r
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("hour", "apiKeyId", "model", "upstream", "teamId") DO UPDATE SET
    "requests" = h."requests" + EXCLUDED."requests",
    "errors" = h."errors" + EXCLUDED."errors",
    "promptTokens" = h."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = h."completionTokens" + EXCLUDED."completionTokens",
    "latencySum" = h."latencySum" + EXCLUDED."latencySum",
    "ttftCount" = h."ttftCount" + EXCLUDED."ttftCount",
    "ttftSum" = h."ttftSum" + EXCLUDED."ttftSum"\073
  INSERT INTO "UsageDaily" AS h ("day", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''day'', r."createdAt"), r."apiKeyId", r."model", coalesce(r."upstream", ''''), coalesce(r."teamId", ''''),
         sum(r.sign), coalesce(sum(r.sign) FILTER (WHERE r."status" >= 400), 0), coalesce(sum(r.sign * r."promptTokens"), 0),
         coalesce(sum(r.sign * r."completionTokens"), 0), coalesce(sum(r.sign * r."latencyMs"), 0),
         coalesce(sum(r.sign) FILTER (WHERE r."ttftMs" IS NOT NULL), 0), coalesce(sum(r.sign * r."ttftMs"), 0)
  FROM (SELECT o.*, -1 AS sign FROM old_rows o UNION ALL SELECT n.*, 1 AS sign FROM new_rows n) r
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("day", "apiKeyId", "model", "upstream", "teamId") DO UPDATE SET
    "requests" = h."requests" + EXCLUDED."requests",
    "errors" = h."errors" + EXCLUDED."errors",
    "promptTokens" = h."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = h."completionTokens" + EXCLUDED."completionTokens",
    "latencySum" = h."latencySum" + EXCLUDED."latencySum",
    "ttftCount" = h."ttftCount" + EXCLUDED."ttftCount",
    "ttftSum" = h."ttftSum" + EXCLUDED."ttftSum"\073
  RETURN NULL\073
END';

-- One transaction (a DO block) locks out writers, installs the triggers and folds the rows already
-- written: nothing is counted twice or missed, even with an older replica still writing.
DO E'BEGIN
  LOCK TABLE "UsageRecord" IN SHARE ROW EXCLUSIVE MODE\073
  CREATE TRIGGER "UsageRecord_rollup_insert" AFTER INSERT ON "UsageRecord"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollup_insert"()\073
  CREATE TRIGGER "UsageRecord_rollup_update" AFTER UPDATE ON "UsageRecord"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollup_update"()\073
  INSERT INTO "UsageHourly" ("hour", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''hour'', "createdAt"), "apiKeyId", "model", coalesce("upstream", ''''), coalesce("teamId", ''''),
         count(*), count(*) FILTER (WHERE "status" >= 400), coalesce(sum("promptTokens"), 0), coalesce(sum("completionTokens"), 0),
         coalesce(sum("latencyMs"), 0), count("ttftMs"), coalesce(sum("ttftMs"), 0)
  FROM "UsageRecord"
  GROUP BY 1, 2, 3, 4, 5\073
  INSERT INTO "UsageDaily" ("day", "apiKeyId", "model", "upstream", "teamId", "requests", "errors", "promptTokens", "completionTokens", "latencySum", "ttftCount", "ttftSum")
  SELECT date_trunc(''day'', "createdAt"), "apiKeyId", "model", coalesce("upstream", ''''), coalesce("teamId", ''''),
         count(*), count(*) FILTER (WHERE "status" >= 400), coalesce(sum("promptTokens"), 0), coalesce(sum("completionTokens"), 0),
         coalesce(sum("latencyMs"), 0), count("ttftMs"), coalesce(sum("ttftMs"), 0)
  FROM "UsageRecord"
  GROUP BY 1, 2, 3, 4, 5\073
END';
