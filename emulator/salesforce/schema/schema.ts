import { accountObject, contactObject } from "./business.ts";
import { organizationObject } from "./organization.ts";
import {
  groupMemberObject,
  groupObject,
  permissionSetAssignmentObject,
  permissionSetObject,
  profileObject,
  userLicenseObject,
  userLoginObject,
  userRoleObject,
} from "./setup.ts";
import type { FieldDef, ObjectDef } from "./types.ts";
import { userObject } from "./user.ts";

const standardObjects: ObjectDef[] = [
  userObject,
  contactObject,
  accountObject,
  profileObject,
  userRoleObject,
  userLicenseObject,
  permissionSetObject,
  permissionSetAssignmentObject,
  groupObject,
  groupMemberObject,
  userLoginObject,
  organizationObject,
];

/** One object's metadata with case-insensitive lookups: Salesforce names are case-insensitive. */
export class SObjectType {
  readonly def: ObjectDef;
  readonly #fields = new Map<string, FieldDef>();
  readonly #relationships = new Map<string, FieldDef>();

  constructor(def: ObjectDef) {
    this.def = { ...def, fields: [...def.fields] };
    for (const f of this.def.fields) this.#index(f);
  }

  get name(): string {
    return this.def.name;
  }

  field(name: string): FieldDef | undefined {
    return this.#fields.get(name.toLowerCase());
  }

  /** The child object and its reference field behind a child relationship name (`Contacts`). */
  childRelationship(
    all: readonly SObjectType[],
    name: string,
  ): { child: SObjectType; field: FieldDef } | undefined {
    const key = name.toLowerCase();
    for (const child of all) {
      for (const f of child.fields) {
        if (f.childRelationshipName?.toLowerCase() === key && f.referenceTo.includes(this.name))
          return { child, field: f };
      }
    }
    return undefined;
  }

  /** The reference field behind a relationship name (`Profile` → `ProfileId`). */
  relationship(name: string): FieldDef | undefined {
    return this.#relationships.get(name.toLowerCase());
  }

  get fields(): readonly FieldDef[] {
    return this.def.fields;
  }

  addField(f: FieldDef): void {
    const existing = this.def.fields.findIndex((x) => x.name.toLowerCase() === f.name.toLowerCase());
    if (existing >= 0) this.def.fields.splice(existing, 1, f);
    else this.def.fields.push(f);
    this.#index(f);
  }

  #index(f: FieldDef): void {
    this.#fields.set(f.name.toLowerCase(), f);
    if (f.relationshipName !== null) this.#relationships.set(f.relationshipName.toLowerCase(), f);
  }
}

/** The org's objects: the standard ones plus the custom fields added through the control API. */
export class Schema {
  readonly #types = new Map<string, SObjectType>();
  readonly #byPrefix = new Map<string, SObjectType>();

  constructor() {
    for (const def of standardObjects) {
      const t = new SObjectType(def);
      this.#types.set(def.name.toLowerCase(), t);
      this.#byPrefix.set(def.keyPrefix, t);
    }
  }

  type(name: string): SObjectType | undefined {
    return this.#types.get(name.toLowerCase());
  }

  typeOfId(id: string): SObjectType | undefined {
    return this.#byPrefix.get(id.slice(0, 3));
  }

  get types(): SObjectType[] {
    return [...this.#types.values()];
  }

  /** Custom fields by object, for saving state. */
  customFields(): Record<string, FieldDef[]> {
    const out: Record<string, FieldDef[]> = {};
    for (const t of this.#types.values()) {
      const custom = t.fields.filter((f) => f.custom);
      if (custom.length > 0) out[t.name] = custom;
    }
    return out;
  }
}
