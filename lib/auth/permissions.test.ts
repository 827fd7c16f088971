import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLES, can, canAssignRole, type Permission } from "./permissions";

// The whole table, written out: a change to who may do what shows up here as a failing row.
const EXPECTED: Record<Permission, { OWNER: boolean; ADMIN: boolean; MEMBER: boolean; VIEWER: boolean }> = {
  "org.read": { OWNER: true, ADMIN: true, MEMBER: true, VIEWER: true },
  "org.settings": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "members.read": { OWNER: true, ADMIN: true, MEMBER: true, VIEWER: true },
  "members.invite": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "members.manage": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "audit.read": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "integrations.read": { OWNER: true, ADMIN: true, MEMBER: true, VIEWER: true },
  "integrations.write": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "connections.read": { OWNER: true, ADMIN: true, MEMBER: true, VIEWER: true },
  "connections.connect_own": { OWNER: true, ADMIN: true, MEMBER: true, VIEWER: false },
  "connections.write": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
  "api_keys.manage": { OWNER: true, ADMIN: true, MEMBER: false, VIEWER: false },
};

describe("permission table", () => {
  it("covers exactly the permissions the code defines", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  for (const [permission, roles] of Object.entries(EXPECTED) as [Permission, Record<string, boolean>][]) {
    for (const role of ROLES) {
      it(`${role} ${roles[role] ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission)).toBe(roles[role]);
      });
    }
  }

  it("nobody without a role may do anything", () => {
    for (const p of Object.keys(PERMISSIONS) as Permission[]) {
      expect(can(null, p)).toBe(false);
      expect(can(undefined, p)).toBe(false);
    }
  });

  it("only owners grant the owner role; members and viewers assign no role", () => {
    expect(canAssignRole("OWNER", "OWNER")).toBe(true);
    expect(canAssignRole("ADMIN", "OWNER")).toBe(false);
    expect(canAssignRole("ADMIN", "ADMIN")).toBe(true);
    expect(canAssignRole("MEMBER", "VIEWER")).toBe(false);
    expect(canAssignRole("VIEWER", "VIEWER")).toBe(false);
  });
});
