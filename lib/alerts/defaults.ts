import type { Prisma } from "@/generated/prisma/client";
import { EVENT_TYPES } from "./events";

// The channel every org starts with (the alerts migration adds it to orgs that existed before):
// email to the org's owners and admins, for every event. Admins change or remove it on Settings.

export const defaultChannel = (orgId: string): Prisma.AlertChannelUncheckedCreateInput => ({
  orgId,
  kind: "EMAIL",
  name: "Owners and admins",
  includeAdmins: true,
  recipients: [],
  events: [...EVENT_TYPES],
});
