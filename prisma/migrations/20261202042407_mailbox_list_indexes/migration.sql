-- CreateIndex
CREATE INDEX "Connection_orgId_mailbox_id_idx" ON "Connection"("orgId", "mailbox", "id");

-- CreateIndex
CREATE INDEX "Connection_orgId_health_mailbox_id_idx" ON "Connection"("orgId", "health", "mailbox", "id");

-- CreateIndex
CREATE INDEX "Connection_orgId_lastCheckAt_id_idx" ON "Connection"("orgId", "lastCheckAt", "id");

-- CreateIndex
CREATE INDEX "Connection_orgId_healthChangedAt_id_idx" ON "Connection"("orgId", "healthChangedAt", "id");

-- CreateIndex
CREATE INDEX "Connection_orgId_health_lastCheckAt_id_idx" ON "Connection"("orgId", "health", "lastCheckAt", "id");
