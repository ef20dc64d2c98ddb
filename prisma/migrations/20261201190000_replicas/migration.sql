-- CreateTable
CREATE TABLE "Replica" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastHeartbeat" TIMESTAMP(3) NOT NULL,
    "inFlight" INTEGER NOT NULL DEFAULT 0,
    "redisState" TEXT NOT NULL,
    "redisReason" TEXT,

    CONSTRAINT "Replica_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Replica_lastHeartbeat_idx" ON "Replica"("lastHeartbeat");
