import {
  auditFields,
  field,
  flag,
  idField,
  picklist,
  plainValues,
  readOnly,
  reference,
  required,
  text,
} from "./fields.ts";
import type { ObjectDef } from "./types.ts";

/** The setup objects around User (salesforce-api.md §3.4–3.6): licences, profiles, roles, sets, groups. */

const userTypes = plainValues(
  "Standard",
  "PowerPartner",
  "PowerCustomerSuccess",
  "CspLitePortal",
  "CsnOnly",
  "Guest",
);

export const userLicenseObject: ObjectDef = {
  name: "UserLicense",
  label: "User License",
  labelPlural: "User Licenses",
  keyPrefix: "100",
  createable: false,
  updateable: false,
  deletable: false,
  queryable: true,
  setup: true,
  fields: [
    idField("User License ID"),
    text("Name", "Name", 40, { ...readOnly, nillable: false, nameField: true }),
    text("MasterLabel", "Master Label", 40, { ...readOnly, nillable: false }),
    text("LicenseDefinitionKey", "License Definition Key", 40, { ...readOnly, nillable: false }),
    field("TotalLicenses", "Total Licenses", "int", { ...readOnly, nillable: false, precision: 9 }),
    field("UsedLicenses", "Used Licenses", "int", { ...readOnly, nillable: false, precision: 9 }),
    picklist("Status", "Status", plainValues("Active", "Disabled"), readOnly),
    ...auditFields(),
  ],
};

export const profileObject: ObjectDef = {
  name: "Profile",
  label: "Profile",
  labelPlural: "Profiles",
  keyPrefix: "00e",
  createable: false,
  updateable: false,
  deletable: false,
  queryable: true,
  setup: true,
  fields: [
    idField("Profile ID"),
    text("Name", "Name", 255, { ...readOnly, nillable: false, nameField: true }),
    reference("UserLicenseId", "User License ID", ["UserLicense"], "UserLicense", {
      ...readOnly,
      nillable: false,
    }),
    picklist("UserType", "User Type", userTypes, { ...readOnly, restrictedPicklist: true }),
    field("Description", "Description", "textarea", { ...readOnly, length: 255 }),
    flag("PermissionsApiEnabled", "API Enabled", readOnly),
    flag("PermissionsManageUsers", "Manage Users", readOnly),
    ...auditFields(),
  ],
};

export const userRoleObject: ObjectDef = {
  name: "UserRole",
  label: "Role",
  labelPlural: "Roles",
  keyPrefix: "00E",
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  setup: true,
  fields: [
    idField("Role ID"),
    required("Name", "Name", 80, { nameField: true }),
    required("DeveloperName", "Developer Name", 80, { defaultedOnCreate: true }),
    reference("ParentRoleId", "Parent Role ID", ["UserRole"], "ParentRole"),
    text("RollupDescription", "Description", 80),
    picklist("PortalType", "Portal Type", plainValues("None", "CustomerPortal", "Partner"), {
      ...readOnly,
      defaultedOnCreate: true,
      restrictedPicklist: true,
    }),
    reference("PortalAccountId", "Account ID", ["Account"], "PortalAccount", readOnly),
    field("LastModifiedDate", "Last Modified Date", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    reference("LastModifiedById", "Last Modified By ID", ["User"], "LastModifiedBy", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    field("SystemModstamp", "System Modstamp", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
  ],
};

export const permissionSetObject: ObjectDef = {
  name: "PermissionSet",
  label: "Permission Set",
  labelPlural: "Permission Sets",
  keyPrefix: "0PS",
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  setup: true,
  fields: [
    idField("Permission Set ID"),
    required("Name", "Name", 80, { unique: true }),
    required("Label", "Label", 80, { nameField: true }),
    field("Description", "Description", "textarea", { length: 255 }),
    flag("IsOwnedByProfile", "Is Owned By Profile", { ...readOnly, defaultedOnCreate: true }),
    reference("ProfileId", "Profile ID", ["Profile"], "Profile", readOnly),
    reference("LicenseId", "License ID", ["UserLicense"], "License", { updateable: false }),
    flag("IsCustom", "Is Custom", { ...readOnly, defaultedOnCreate: true }),
    text("NamespacePrefix", "Namespace Prefix", 15, readOnly),
    picklist("Type", "Permission Set Type", plainValues("Regular", "Profile", "Session", "Standard"), {
      ...readOnly,
      defaultedOnCreate: true,
    }),
    flag("PermissionsApiEnabled", "API Enabled"),
    flag("PermissionsViewSetup", "View Setup and Configuration"),
    ...auditFields(),
  ],
};

export const permissionSetAssignmentObject: ObjectDef = {
  name: "PermissionSetAssignment",
  label: "Permission Set Assignment",
  labelPlural: "Permission Set Assignments",
  keyPrefix: "0Pa",
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  setup: true,
  fields: [
    idField("Permission Set Assignment ID"),
    reference("AssigneeId", "Assignee ID", ["User"], "Assignee", {
      nillable: false,
      updateable: false,
      childRelationshipName: "PermissionSetAssignments",
    }),
    reference("PermissionSetId", "Permission Set ID", ["PermissionSet"], "PermissionSet", {
      nillable: false,
      updateable: false,
      childRelationshipName: "Assignments",
    }),
    field("ExpirationDate", "Expiration Date", "datetime"),
    flag("IsActive", "Is Active", { ...readOnly, defaultedOnCreate: true, defaultValue: true }),
    field("SystemModstamp", "System Modstamp", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
  ],
};

export const groupObject: ObjectDef = {
  name: "Group",
  label: "Group",
  labelPlural: "Groups",
  keyPrefix: "00G",
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  setup: true,
  fields: [
    idField("Group ID"),
    required("Name", "Name", 40, { nameField: true }),
    required("DeveloperName", "Developer Name", 80, { defaultedOnCreate: true }),
    picklist(
      "Type",
      "Type",
      plainValues("Regular", "Role", "RoleAndSubordinates", "Queue", "Organization", "Manager"),
      {
        nillable: false,
        updateable: false,
        defaultedOnCreate: true,
        restrictedPicklist: true,
        defaultValue: "Regular",
      },
    ),
    reference("RelatedId", "Related ID", ["UserRole", "User"], "Related", readOnly),
    field("Email", "Email", "email", { length: 255 }),
    reference("OwnerId", "Owner ID", ["User"], "Owner", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    flag("DoesIncludeBosses", "Grant Access Using Hierarchies", { defaultValue: true }),
    flag("DoesSendEmailToMembers", "Send Email to Members"),
    ...auditFields(),
  ],
};

export const groupMemberObject: ObjectDef = {
  name: "GroupMember",
  label: "Group Member",
  labelPlural: "Group Members",
  keyPrefix: "011",
  createable: true,
  updateable: false,
  deletable: true,
  queryable: true,
  setup: true,
  fields: [
    idField("Group Member ID"),
    reference("GroupId", "Group ID", ["Group"], "Group", {
      nillable: false,
      updateable: false,
      childRelationshipName: "GroupMembers",
    }),
    reference("UserOrGroupId", "User/Group ID", ["User", "Group"], "UserOrGroup", {
      nillable: false,
      updateable: false,
    }),
    field("SystemModstamp", "System Modstamp", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
  ],
};

export const userLoginObject: ObjectDef = {
  name: "UserLogin",
  label: "User Login",
  labelPlural: "User Logins",
  keyPrefix: "060",
  createable: false,
  updateable: true,
  deletable: false,
  queryable: true,
  setup: true,
  fields: [
    idField("User Login ID"),
    reference("UserId", "User ID", ["User"], "User", { ...readOnly, nillable: false }),
    flag("IsFrozen", "Is Frozen", { createable: false, defaultedOnCreate: true }),
    flag("IsPasswordLocked", "Is Password Locked", { createable: false, defaultedOnCreate: true }),
    field("LastModifiedDate", "Last Modified Date", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    reference("LastModifiedById", "Last Modified By ID", ["User"], "LastModifiedBy", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
  ],
};
