-- CreateEnum
CREATE TYPE "CredentialType" AS ENUM ('SECRET', 'CERTIFICATE');

-- CreateEnum
CREATE TYPE "IntegrationStatus" AS ENUM ('UNCHECKED', 'CREDENTIALS_OK', 'FAILING');

-- CreateTable
CREATE TABLE "Integration" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cloud" TEXT NOT NULL,
    "tenantMode" TEXT NOT NULL,
    "tenant" TEXT,
    "clientId" UUID NOT NULL,
    "credentialType" "CredentialType" NOT NULL,
    "secretEncrypted" TEXT,
    "secretExpiresAt" TIMESTAMP(3),
    "secretUpdatedAt" TIMESTAMP(3),
    "privateKeyEncrypted" TEXT,
    "certificatePem" TEXT,
    "certificateThumbprint" TEXT,
    "certificateExpiresAt" TIMESTAMP(3),
    "purposes" TEXT[],
    "extraScopes" TEXT[],
    "authorizeEndpoint" TEXT,
    "tokenEndpoint" TEXT,
    "status" "IntegrationStatus" NOT NULL DEFAULT 'UNCHECKED',
    "lastCheckedAt" TIMESTAMP(3),
    "lastCheck" JSONB,
    "configVersion" INTEGER NOT NULL DEFAULT 1,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Integration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Integration_orgId_status_idx" ON "Integration"("orgId", "status");

-- CreateIndex
CREATE INDEX "Integration_secretExpiresAt_idx" ON "Integration"("secretExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Integration_orgId_name_key" ON "Integration"("orgId", "name");

-- AddForeignKey
ALTER TABLE "Integration" ADD CONSTRAINT "Integration_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;
