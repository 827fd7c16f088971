-- AlterTable
ALTER TABLE "Check" ADD COLUMN     "triggeredById" UUID;

-- CreateIndex
CREATE INDEX "Check_triggeredById_idx" ON "Check"("triggeredById");

-- AddForeignKey
ALTER TABLE "Check" ADD CONSTRAINT "Check_triggeredById_fkey" FOREIGN KEY ("triggeredById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
