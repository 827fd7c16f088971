-- CreateTable
CREATE TABLE "BridgeCredential" (
    "id" UUID NOT NULL,
    "orgId" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "protocols" TEXT[],
    "allowedIps" TEXT[],
    "createdById" UUID,
    "createdByEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedByEmail" TEXT,
    "lastUsedAt" TIMESTAMP(3),
    "lastUsedIp" TEXT,

    CONSTRAINT "BridgeCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BridgeCredential_username_key" ON "BridgeCredential"("username");

-- CreateIndex
CREATE INDEX "BridgeCredential_orgId_createdAt_idx" ON "BridgeCredential"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "BridgeCredential_connectionId_idx" ON "BridgeCredential"("connectionId");

-- AddForeignKey
ALTER TABLE "BridgeCredential" ADD CONSTRAINT "BridgeCredential_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BridgeCredential" ADD CONSTRAINT "BridgeCredential_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
