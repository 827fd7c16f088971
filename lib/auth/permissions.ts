import type { Role } from "@/generated/prisma/enums";
export type { Role };

// What each org role may do. Code asks for a permission, never for a role name.
export const PERMISSIONS = {
  "org.read": ["OWNER", "ADMIN", "MEMBER", "VIEWER"],
  "org.settings": ["OWNER", "ADMIN"],
  "members.read": ["OWNER", "ADMIN", "MEMBER", "VIEWER"],
  "members.invite": ["OWNER", "ADMIN"],
  "members.manage": ["OWNER", "ADMIN"],
  "audit.read": ["OWNER", "ADMIN"],
  "integrations.read": ["OWNER", "ADMIN", "MEMBER", "VIEWER"],
  "integrations.write": ["OWNER", "ADMIN"],
  "connections.read": ["OWNER", "ADMIN", "MEMBER", "VIEWER"],
  "connections.connect_own": ["OWNER", "ADMIN", "MEMBER"],
  "connections.write": ["OWNER", "ADMIN"],
  "api_keys.manage": ["OWNER", "ADMIN"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const ROLES: readonly Role[] = ["OWNER", "ADMIN", "MEMBER", "VIEWER"];

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: "Owner",
  ADMIN: "Admin",
  MEMBER: "Member",
  VIEWER: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  OWNER: "Everything, including managing owners.",
  ADMIN: "Manages integrations, mailboxes, keys and members.",
  MEMBER: "Sees the org's connections and health; connects their own mailbox.",
  VIEWER: "Read-only access to connections and health.",
};

/** Only owners may grant or take away the owner role. */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (!can(actor, "members.manage")) return false;
  return target !== "OWNER" || actor === "OWNER";
}
