-- (orgId, health) is the prefix of (orgId, health, mailbox, id) and (orgId, health, healthChangedAt, id), which serve every query it did.
-- The per-protocol result columns hold three values: a fleet-wide filter on one walks the sort's keyset index and stops after a page,
-- while these four indexes were written on every check.
-- DropIndex
DROP INDEX "Connection_graphResult_idx";

-- DropIndex
DROP INDEX "Connection_imapResult_idx";

-- DropIndex
DROP INDEX "Connection_orgId_health_idx";

-- DropIndex
DROP INDEX "Connection_popResult_idx";

-- DropIndex
DROP INDEX "Connection_smtpResult_idx";
