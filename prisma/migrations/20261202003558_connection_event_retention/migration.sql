-- CreateIndex
CREATE INDEX "ConnectionEvent_createdAt_idx" ON "ConnectionEvent"("createdAt");
