-- CreateEnum
CREATE TYPE "UpstreamState" AS ENUM ('ENABLED', 'DRAINING', 'DISABLED');

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "maxConcurrent" INTEGER,
ADD COLUMN     "weight" INTEGER;

-- AlterTable
ALTER TABLE "UsageRecord" ADD COLUMN     "queueWaitMs" INTEGER,
ADD COLUMN     "upstream" TEXT;

-- CreateTable
CREATE TABLE "Upstream" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'ollama',
    "state" "UpstreamState" NOT NULL DEFAULT 'ENABLED',
    "parallel" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Upstream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelServer" (
    "modelId" TEXT NOT NULL,
    "upstreamId" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelServer_pkey" PRIMARY KEY ("modelId","upstreamId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Upstream_name_key" ON "Upstream"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Upstream_url_key" ON "Upstream"("url");

-- CreateIndex
CREATE INDEX "ModelServer_upstreamId_idx" ON "ModelServer"("upstreamId");

-- AddForeignKey
ALTER TABLE "ModelServer" ADD CONSTRAINT "ModelServer_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelServer" ADD CONSTRAINT "ModelServer_upstreamId_fkey" FOREIGN KEY ("upstreamId") REFERENCES "Upstream"("id") ON DELETE CASCADE ON UPDATE CASCADE;
