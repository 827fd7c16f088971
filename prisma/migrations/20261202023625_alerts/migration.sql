-- CreateEnum
CREATE TYPE "ReconsentPolicy" AS ENUM ('NOTIFY_ADMINS', 'EMAIL_OWNER');

-- CreateEnum
CREATE TYPE "ChannelKind" AS ENUM ('WEBHOOK', 'EMAIL');

-- CreateEnum
CREATE TYPE "ChannelStatus" AS ENUM ('ACTIVE', 'PAUSED');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED', 'SKIPPED');

-- AlterTable
ALTER TABLE "Connection" ADD COLUMN     "alertDigestId" UUID,
ADD COLUMN     "alertPending" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "alertedAt" TIMESTAMP(3),
ADD COLUMN     "alertedState" TEXT,
ADD COLUMN     "healLinkSentAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ExpiryNotice" ADD COLUMN     "remindedDays" INTEGER;

-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "credentialsAlerted" TEXT;

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "reconsentPolicy" "ReconsentPolicy" NOT NULL DEFAULT 'NOTIFY_ADMINS';

-- CreateTable
CREATE TABLE "AlertChannel" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "kind" "ChannelKind" NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "secretEncrypted" TEXT,
    "includeAdmins" BOOLEAN NOT NULL DEFAULT true,
    "recipients" TEXT[],
    "events" TEXT[],
    "status" "ChannelStatus" NOT NULL DEFAULT 'ACTIVE',
    "pausedAt" TIMESTAMP(3),
    "pausedReason" TEXT,
    "failingSince" TIMESTAMP(3),
    "lastDeliveryAt" TIMESTAMP(3),
    "lastDeliveryOk" BOOLEAN,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "connectionId" UUID,
    "integrationId" UUID,
    "tenantId" TEXT,
    "digestId" UUID,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastStatusCode" INTEGER,
    "lastDurationMs" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "manual" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertAttempt" (
    "id" UUID NOT NULL,
    "deliveryId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusCode" INTEGER,
    "durationMs" INTEGER NOT NULL,
    "error" TEXT,

    CONSTRAINT "AlertAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenantAlert" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),
    "members" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TenantAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMail" (
    "id" UUID NOT NULL,
    "orgId" UUID,
    "to" TEXT[],
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AlertChannel_orgId_kind_idx" ON "AlertChannel"("orgId", "kind");

-- CreateIndex
CREATE INDEX "AlertChannel_status_idx" ON "AlertChannel"("status");

-- CreateIndex
CREATE INDEX "AlertEvent_orgId_createdAt_idx" ON "AlertEvent"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "AlertEvent_connectionId_createdAt_idx" ON "AlertEvent"("connectionId", "createdAt");

-- CreateIndex
CREATE INDEX "AlertEvent_createdAt_idx" ON "AlertEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_channelId_createdAt_idx" ON "AlertDelivery"("channelId", "createdAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_eventId_idx" ON "AlertDelivery"("eventId");

-- CreateIndex
CREATE INDEX "AlertDelivery_status_nextAttemptAt_idx" ON "AlertDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "AlertAttempt_deliveryId_attempt_idx" ON "AlertAttempt"("deliveryId", "attempt");

-- CreateIndex
CREATE INDEX "TenantAlert_orgId_tenantId_closedAt_idx" ON "TenantAlert"("orgId", "tenantId", "closedAt");

-- CreateIndex
CREATE INDEX "OutboxMail_createdAt_idx" ON "OutboxMail"("createdAt");

-- CreateIndex
CREATE INDEX "Connection_alertPending_idx" ON "Connection"("alertPending");

-- AddForeignKey
ALTER TABLE "AlertChannel" ADD CONSTRAINT "AlertChannel_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertEvent" ADD CONSTRAINT "AlertEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertEvent" ADD CONSTRAINT "AlertEvent_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDelivery" ADD CONSTRAINT "AlertDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "AlertEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDelivery" ADD CONSTRAINT "AlertDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "AlertChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertAttempt" ADD CONSTRAINT "AlertAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "AlertDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TenantAlert" ADD CONSTRAINT "TenantAlert_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What exists was never alerted: start from its current state, so the first evaluation does not
-- announce every connection that was already failing before alerts existed.
UPDATE "Connection" SET "alertedState" = CASE WHEN health = 'FAILING' THEN 'failing' ELSE 'ok' END, "alertedAt" = CURRENT_TIMESTAMP;
UPDATE "Integration" SET "credentialsAlerted" = CASE WHEN status = 'FAILING' THEN 'failing' ELSE 'ok' END;

-- Every org starts with one email channel to its owners and admins, for every event (lib/alerts/defaults.ts).
INSERT INTO "AlertChannel" (id, "orgId", kind, name, "includeAdmins", recipients, events, status, "createdAt", "updatedAt")
SELECT gen_random_uuid(), o.id, 'EMAIL', 'Owners and admins', true, ARRAY[]::TEXT[],
       ARRAY['connection.failing','connection.recovered','connection.at_risk','tenant.failing','tenant.recovered','integration.credentials_failing','integration.credentials_recovered','integration.secret_expiring']::TEXT[],
       'ACTIVE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM "Org" o;
