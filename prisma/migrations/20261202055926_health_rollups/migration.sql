-- AlterTable
ALTER TABLE "Check" ADD COLUMN     "results" JSONB;

-- CreateTable
CREATE TABLE "HealthHourly" (
    "scope" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "healthy" INTEGER NOT NULL,
    "degraded" INTEGER NOT NULL,
    "atRisk" INTEGER NOT NULL,
    "failing" INTEGER NOT NULL,
    "unknown" INTEGER NOT NULL,
    "failingByClass" JSONB NOT NULL,

    CONSTRAINT "HealthHourly_pkey" PRIMARY KEY ("scope","hour")
);

-- CreateTable
CREATE TABLE "CheckHourly" (
    "scope" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "protocol" TEXT NOT NULL,
    "passed" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "skipped" INTEGER NOT NULL,

    CONSTRAINT "CheckHourly_pkey" PRIMARY KEY ("scope","hour","protocol")
);

-- CreateTable
CREATE TABLE "FailureHourly" (
    "scope" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "code" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "FailureHourly_pkey" PRIMARY KEY ("scope","hour","code")
);

-- CreateTable
CREATE TABLE "RollupState" (
    "name" TEXT NOT NULL,
    "upTo" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RollupState_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "HealthHourly_hour_idx" ON "HealthHourly"("hour");

-- CreateIndex
CREATE INDEX "CheckHourly_hour_idx" ON "CheckHourly"("hour");

-- CreateIndex
CREATE INDEX "FailureHourly_hour_idx" ON "FailureHourly"("hour");
