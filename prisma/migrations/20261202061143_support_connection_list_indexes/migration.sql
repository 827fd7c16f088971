-- CreateIndex
CREATE INDEX "Connection_healthChangedAt_id_idx" ON "Connection"("healthChangedAt", "id");

-- CreateIndex
CREATE INDEX "Connection_lastCheckAt_id_idx" ON "Connection"("lastCheckAt", "id");

-- CreateIndex
CREATE INDEX "Connection_mailbox_id_idx" ON "Connection"("mailbox", "id");

-- CreateIndex
CREATE INDEX "Connection_tenantId_idx" ON "Connection"("tenantId");

-- CreateIndex
CREATE INDEX "Connection_healthCode_idx" ON "Connection"("healthCode");

-- CreateIndex
CREATE INDEX "Connection_graphCode_idx" ON "Connection"("graphCode");

-- CreateIndex
CREATE INDEX "Connection_imapCode_idx" ON "Connection"("imapCode");

-- CreateIndex
CREATE INDEX "Connection_popCode_idx" ON "Connection"("popCode");

-- CreateIndex
CREATE INDEX "Connection_smtpCode_idx" ON "Connection"("smtpCode");

-- CreateIndex
CREATE INDEX "Connection_graphResult_idx" ON "Connection"("graphResult");

-- CreateIndex
CREATE INDEX "Connection_imapResult_idx" ON "Connection"("imapResult");

-- CreateIndex
CREATE INDEX "Connection_popResult_idx" ON "Connection"("popResult");

-- CreateIndex
CREATE INDEX "Connection_smtpResult_idx" ON "Connection"("smtpResult");
