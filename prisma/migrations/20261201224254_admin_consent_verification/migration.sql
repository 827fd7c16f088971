-- AlterTable
ALTER TABLE "AdminConsent" ADD COLUMN     "verification" TEXT,
ADD COLUMN     "verificationDetail" TEXT,
ADD COLUMN     "verifiedAt" TIMESTAMP(3);
