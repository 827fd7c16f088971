-- CreateIndex
CREATE INDEX "AdminConsent_orgId_idx" ON "AdminConsent"("orgId");

-- CreateIndex
CREATE INDEX "AuthorizationRequest_orgId_idx" ON "AuthorizationRequest"("orgId");

-- CreateIndex
CREATE INDEX "AuthorizationRequest_integrationId_idx" ON "AuthorizationRequest"("integrationId");

-- CreateIndex
CREATE INDEX "ConsentLink_connectionId_idx" ON "ConsentLink"("connectionId");

-- CreateIndex
CREATE INDEX "ConsentLink_integrationId_idx" ON "ConsentLink"("integrationId");

-- CreateIndex
CREATE INDEX "Invitation_invitedById_idx" ON "Invitation"("invitedById");

-- CreateIndex
CREATE INDEX "Invitation_acceptedById_idx" ON "Invitation"("acceptedById");

-- CreateIndex
CREATE INDEX "Org_createdById_idx" ON "Org"("createdById");
