-- AlterTable
ALTER TABLE "Connection" ADD COLUMN     "lastTest" JSONB,
ADD COLUMN     "lastTestedAt" TIMESTAMP(3);
