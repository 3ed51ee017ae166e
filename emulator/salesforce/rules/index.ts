import { accountRules, contactRules } from "./business-rules.ts";
import {
  groupMemberRules,
  groupRules,
  permissionSetAssignmentRules,
  permissionSetRules,
  userLoginRules,
  userRoleRules,
} from "./setup-rules.ts";
import type { TypeRules } from "./types.ts";
import { userRules } from "./user-rules.ts";

export const typeRules: Record<string, TypeRules> = {
  User: userRules,
  Contact: contactRules,
  Account: accountRules,
  UserRole: userRoleRules,
  PermissionSet: permissionSetRules,
  PermissionSetAssignment: permissionSetAssignmentRules,
  Group: groupRules,
  GroupMember: groupMemberRules,
  UserLogin: userLoginRules,
};
