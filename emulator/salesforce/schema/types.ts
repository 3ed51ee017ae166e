/** Field and object metadata: the emulator validates every write from this, as describe shows it. */

export type FieldType =
  | "id"
  | "string"
  | "textarea"
  | "email"
  | "phone"
  | "url"
  | "picklist"
  | "boolean"
  | "reference"
  | "datetime"
  | "date"
  | "double"
  | "int";

export type PicklistValue = { value: string; label: string; defaultValue?: boolean };

export type FieldDef = {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  custom: boolean;
  unique: boolean;
  externalId: boolean;
  idLookup: boolean;
  nameField: boolean;
  /** Salesforce compares most text case-insensitively; a few unique keys are case-sensitive. */
  caseSensitive: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** The parent's name for its list of these records (Account → `Contacts`), used by sObject Tree. */
  childRelationshipName: string | null;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  defaultValue: string | boolean | number | null;
  precision: number;
  scale: number;
};

export type ObjectDef = {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** User, PermissionSetAssignment, GroupMember…: Setup objects, which cannot share a transaction with others. */
  setup: boolean;
  fields: FieldDef[];
};
