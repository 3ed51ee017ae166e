import type { FieldDef, FieldType, PicklistValue } from "./types.ts";

type FieldOptions = Partial<Omit<FieldDef, "name" | "label" | "type">>;

/** A field with Salesforce's usual flags for its type; `options` states what differs. */
export function field(name: string, label: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const isBoolean = type === "boolean";
  return {
    name,
    label,
    type,
    length: options.length ?? defaultLength(type),
    nillable: options.nillable ?? !isBoolean,
    createable: options.createable ?? true,
    updateable: options.updateable ?? true,
    defaultedOnCreate: options.defaultedOnCreate ?? isBoolean,
    custom: options.custom ?? name.endsWith("__c"),
    unique: options.unique ?? false,
    externalId: options.externalId ?? false,
    idLookup: options.idLookup ?? false,
    nameField: options.nameField ?? false,
    caseSensitive: options.caseSensitive ?? false,
    referenceTo: options.referenceTo ?? [],
    relationshipName: options.relationshipName ?? null,
    childRelationshipName: options.childRelationshipName ?? null,
    picklistValues: options.picklistValues ?? [],
    restrictedPicklist: options.restrictedPicklist ?? false,
    defaultValue: options.defaultValue ?? (isBoolean ? false : null),
    precision: options.precision ?? 0,
    scale: options.scale ?? 0,
  };
}

function defaultLength(type: FieldType): number {
  switch (type) {
    case "id":
    case "reference":
      return 18;
    case "string":
    case "textarea":
      return 255;
    case "email":
      return 80;
    case "phone":
      return 40;
    case "url":
      return 255;
    case "picklist":
      return 40;
    default:
      return 0;
  }
}

export const readOnly = { createable: false, updateable: false } as const;

export function idField(label: string): FieldDef {
  return field("Id", label, "id", { ...readOnly, nillable: false, defaultedOnCreate: true, idLookup: true });
}

export function text(name: string, label: string, length: number, options: FieldOptions = {}): FieldDef {
  return field(name, label, "string", { length, ...options });
}

export function required(name: string, label: string, length: number, options: FieldOptions = {}): FieldDef {
  return field(name, label, "string", { length, nillable: false, ...options });
}

export function flag(name: string, label: string, options: FieldOptions = {}): FieldDef {
  return field(name, label, "boolean", options);
}

export function reference(
  name: string,
  label: string,
  referenceTo: string[],
  relationshipName: string,
  options: FieldOptions = {},
): FieldDef {
  return field(name, label, "reference", { referenceTo, relationshipName, ...options });
}

export function picklist(
  name: string,
  label: string,
  values: PicklistValue[],
  options: FieldOptions = {},
): FieldDef {
  return field(name, label, "picklist", { picklistValues: values, ...options });
}

/** Picklist values whose labels are their values, as for most short technical picklists. */
export function plainValues(...values: string[]): PicklistValue[] {
  return values.map((value) => ({ value, label: value }));
}

/** CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp: set by the platform. */
export function auditFields(): FieldDef[] {
  const user = ["User"];
  return [
    field("CreatedDate", "Created Date", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    reference("CreatedById", "Created By ID", user, "CreatedBy", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    field("LastModifiedDate", "Last Modified Date", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    reference("LastModifiedById", "Last Modified By ID", user, "LastModifiedBy", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
    field("SystemModstamp", "System Modstamp", "datetime", {
      ...readOnly,
      nillable: false,
      defaultedOnCreate: true,
    }),
  ];
}
