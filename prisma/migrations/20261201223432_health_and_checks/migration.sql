-- CreateEnum
CREATE TYPE "Health" AS ENUM ('UNKNOWN', 'HEALTHY', 'DEGRADED', 'AT_RISK', 'FAILING');

-- CreateEnum
CREATE TYPE "ProtocolResult" AS ENUM ('OK', 'FAILED', 'SKIPPED');

-- CreateEnum
CREATE TYPE "CheckTrigger" AS ENUM ('SCHEDULED', 'MANUAL', 'API');

-- CreateEnum
CREATE TYPE "CheckOutcome" AS ENUM ('PASSED', 'DEGRADED', 'FAILED');

-- AlterTable
ALTER TABLE "Connection" ADD COLUMN     "checkLeaseOwner" TEXT,
ADD COLUMN     "checkLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "checkQueuedAt" TIMESTAMP(3),
ADD COLUMN     "checkQueuedFor" TIMESTAMP(3),
ADD COLUMN     "graphCheckedAt" TIMESTAMP(3),
ADD COLUMN     "graphCode" TEXT,
ADD COLUMN     "graphResult" "ProtocolResult",
ADD COLUMN     "health" "Health" NOT NULL DEFAULT 'UNKNOWN',
ADD COLUMN     "healthChangedAt" TIMESTAMP(3),
ADD COLUMN     "healthClass" TEXT,
ADD COLUMN     "healthCode" TEXT,
ADD COLUMN     "healthReason" TEXT,
ADD COLUMN     "imapCheckedAt" TIMESTAMP(3),
ADD COLUMN     "imapCode" TEXT,
ADD COLUMN     "imapResult" "ProtocolResult",
ADD COLUMN     "lastCheckAt" TIMESTAMP(3),
ADD COLUMN     "nextCheckAt" TIMESTAMP(3),
ADD COLUMN     "popCheckedAt" TIMESTAMP(3),
ADD COLUMN     "popCode" TEXT,
ADD COLUMN     "popResult" "ProtocolResult",
ADD COLUMN     "refreshFailingSince" TIMESTAMP(3),
ADD COLUMN     "smtpCheckedAt" TIMESTAMP(3),
ADD COLUMN     "smtpCode" TEXT,
ADD COLUMN     "smtpResult" "ProtocolResult";

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "checkIntervalMinutes" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "keepAliveDays" INTEGER NOT NULL DEFAULT 7;

-- CreateTable
CREATE TABLE "Check" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "trigger" "CheckTrigger" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "outcome" "CheckOutcome" NOT NULL,
    "steps" JSONB NOT NULL,
    "failureCode" TEXT,
    "failureClass" TEXT,
    "health" "Health" NOT NULL,

    CONSTRAINT "Check_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckDaily" (
    "connectionId" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "total" INTEGER NOT NULL,
    "passed" INTEGER NOT NULL,
    "degraded" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "p50Ms" INTEGER NOT NULL,
    "p95Ms" INTEGER NOT NULL,
    "failureCodes" JSONB NOT NULL,

    CONSTRAINT "CheckDaily_pkey" PRIMARY KEY ("connectionId","day")
);

-- CreateTable
CREATE TABLE "TenantBackoff" (
    "tenantId" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "failures" INTEGER NOT NULL,
    "reason" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TenantBackoff_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "ExpiryNotice" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" UUID NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "ExpiryNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "beatAt" TIMESTAMP(3) NOT NULL,
    "inFlight" INTEGER NOT NULL DEFAULT 0,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Check_connectionId_startedAt_idx" ON "Check"("connectionId", "startedAt");

-- CreateIndex
CREATE INDEX "Check_orgId_startedAt_idx" ON "Check"("orgId", "startedAt");

-- CreateIndex
CREATE INDEX "Check_startedAt_idx" ON "Check"("startedAt");

-- CreateIndex
CREATE INDEX "CheckDaily_orgId_day_idx" ON "CheckDaily"("orgId", "day");

-- CreateIndex
CREATE INDEX "CheckDaily_day_idx" ON "CheckDaily"("day");

-- CreateIndex
CREATE INDEX "ExpiryNotice_orgId_resolvedAt_idx" ON "ExpiryNotice"("orgId", "resolvedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ExpiryNotice_kind_targetId_deadline_key" ON "ExpiryNotice"("kind", "targetId", "deadline");

-- CreateIndex
CREATE INDEX "Connection_orgId_health_idx" ON "Connection"("orgId", "health");

-- CreateIndex
CREATE INDEX "Connection_health_healthClass_idx" ON "Connection"("health", "healthClass");

-- CreateIndex
CREATE INDEX "Connection_nextCheckAt_idx" ON "Connection"("nextCheckAt");

-- CreateIndex
CREATE INDEX "Connection_refreshTokenLastUsedAt_idx" ON "Connection"("refreshTokenLastUsedAt");

-- AddForeignKey
ALTER TABLE "Check" ADD CONSTRAINT "Check_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Check" ADD CONSTRAINT "Check_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckDaily" ADD CONSTRAINT "CheckDaily_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckDaily" ADD CONSTRAINT "CheckDaily_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExpiryNotice" ADD CONSTRAINT "ExpiryNotice_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;
