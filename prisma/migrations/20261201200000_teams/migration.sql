-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'TEAM_ADMIN';

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "dailyTokens" INTEGER,
    "monthlyTokens" INTEGER,
    "dailyRequests" INTEGER,
    "policy" JSONB,
    "alertWebhookUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");

-- CreateTable
CREATE TABLE "TierPolicy" (
    "tier" "Tier" NOT NULL,
    "policy" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TierPolicy_pkey" PRIMARY KEY ("tier")
);

-- CreateTable
CREATE TABLE "QuotaAlert" (
    "id" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "threshold" INTEGER NOT NULL,
    "used" INTEGER NOT NULL,
    "limit" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "QuotaAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QuotaAlert_subjectType_subjectId_metric_period_threshold_key" ON "QuotaAlert"("subjectType", "subjectId", "metric", "period", "threshold");

-- CreateIndex
CREATE INDEX "QuotaAlert_createdAt_idx" ON "QuotaAlert"("createdAt");

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "teamId" TEXT,
ADD COLUMN "dailyTokens" INTEGER,
ADD COLUMN "monthlyTokens" INTEGER,
ADD COLUMN "dailyRequests" INTEGER,
ADD COLUMN "policy" JSONB;

-- CreateIndex
CREATE INDEX "ApiKey_teamId_idx" ON "ApiKey"("teamId");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "UsageRecord" ADD COLUMN "teamId" TEXT;

-- CreateIndex
CREATE INDEX "UsageRecord_teamId_createdAt_idx" ON "UsageRecord"("teamId", "createdAt");
