-- CreateIndex
CREATE INDEX "AuditEvent_orgId_targetType_targetId_createdAt_idx" ON "AuditEvent"("orgId", "targetType", "targetId", "createdAt");

-- CreateIndex
CREATE INDEX "Connection_health_orgId_tenantId_idx" ON "Connection"("health", "orgId", "tenantId");

-- CreateIndex
CREATE INDEX "Connection_orgId_health_healthChangedAt_id_idx" ON "Connection"("orgId", "health", "healthChangedAt", "id");

-- CreateIndex
CREATE INDEX "Connection_orgId_integrationId_health_idx" ON "Connection"("orgId", "integrationId", "health");

-- CreateIndex
CREATE INDEX "Org_name_id_idx" ON "Org"("name", "id");
