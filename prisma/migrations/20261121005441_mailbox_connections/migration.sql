-- CreateEnum
CREATE TYPE "MailboxKind" AS ENUM ('USER', 'SHARED');

-- CreateEnum
CREATE TYPE "ConsentType" AS ENUM ('USER', 'ADMIN', 'DELEGATE');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('CONNECTED', 'NEEDS_RECONSENT', 'REVOKED');

-- CreateEnum
CREATE TYPE "ConsentLinkStatus" AS ENUM ('PENDING', 'OPENED', 'CONNECTED', 'REVOKED');

-- CreateEnum
CREATE TYPE "AuthorizationKind" AS ENUM ('CONNECT', 'ADMIN_CONSENT');

-- CreateTable
CREATE TABLE "Connection" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "mailbox" TEXT NOT NULL,
    "mailboxKind" "MailboxKind" NOT NULL,
    "tenantId" UUID NOT NULL,
    "objectId" UUID NOT NULL,
    "upn" TEXT NOT NULL,
    "displayName" TEXT,
    "consentType" "ConsentType" NOT NULL,
    "requestedScopes" TEXT[],
    "grantedScopes" TEXT[],
    "consentedConfigVersion" INTEGER NOT NULL,
    "refreshTokenEncrypted" TEXT,
    "refreshTokenVersion" INTEGER NOT NULL DEFAULT 1,
    "refreshTokenIssuedAt" TIMESTAMP(3),
    "refreshTokenLastUsedAt" TIMESTAMP(3),
    "status" "ConnectionStatus" NOT NULL DEFAULT 'CONNECTED',
    "statusReason" TEXT,
    "connectedById" UUID,
    "connectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionAccessToken" (
    "connectionId" UUID NOT NULL,
    "resource" TEXT NOT NULL,
    "tokenEncrypted" TEXT NOT NULL,
    "scopes" TEXT[],
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectionAccessToken_pkey" PRIMARY KEY ("connectionId","resource")
);

-- CreateTable
CREATE TABLE "ConsentLink" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "mailbox" TEXT NOT NULL,
    "mailboxKind" "MailboxKind" NOT NULL,
    "status" "ConsentLinkStatus" NOT NULL DEFAULT 'PENDING',
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "emailedAt" TIMESTAMP(3),
    "openedAt" TIMESTAMP(3),
    "connectedAt" TIMESTAMP(3),
    "connectionId" UUID,

    CONSTRAINT "ConsentLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthorizationRequest" (
    "id" UUID NOT NULL,
    "stateHash" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "kind" "AuthorizationKind" NOT NULL,
    "orgId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "mailbox" TEXT,
    "mailboxKind" "MailboxKind" NOT NULL DEFAULT 'USER',
    "consentLinkId" UUID,
    "startedById" UUID,
    "codeVerifierEncrypted" TEXT,
    "nonce" TEXT,
    "tenantRequested" TEXT,
    "requestedScopes" TEXT[],
    "configVersion" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "outcome" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuthorizationRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminConsent" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "tenantId" TEXT NOT NULL,
    "scopes" TEXT[],
    "configVersion" INTEGER NOT NULL,
    "grantedById" UUID,
    "grantedByEmail" TEXT,
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminConsent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Connection_orgId_status_idx" ON "Connection"("orgId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Connection_integrationId_mailbox_key" ON "Connection"("integrationId", "mailbox");

-- CreateIndex
CREATE INDEX "ConsentLink_orgId_status_idx" ON "ConsentLink"("orgId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "AuthorizationRequest_stateHash_key" ON "AuthorizationRequest"("stateHash");

-- CreateIndex
CREATE INDEX "AuthorizationRequest_expiresAt_idx" ON "AuthorizationRequest"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "AdminConsent_integrationId_tenantId_key" ON "AdminConsent"("integrationId", "tenantId");

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Connection" ADD CONSTRAINT "Connection_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionAccessToken" ADD CONSTRAINT "ConnectionAccessToken_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentLink" ADD CONSTRAINT "ConsentLink_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentLink" ADD CONSTRAINT "ConsentLink_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentLink" ADD CONSTRAINT "ConsentLink_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorizationRequest" ADD CONSTRAINT "AuthorizationRequest_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthorizationRequest" ADD CONSTRAINT "AuthorizationRequest_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminConsent" ADD CONSTRAINT "AdminConsent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminConsent" ADD CONSTRAINT "AdminConsent_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
