import { field } from "../schema/fields.ts";
import type { FieldDef, FieldType } from "../schema/types.ts";
import { isPlainObject } from "../values.ts";
import { bad } from "./control-error.ts";

/** `POST /_emulator/fields`: custom `__c` fields, as an admin adds them in Object Manager. */

const customTypes: FieldType[] = [
  "string",
  "textarea",
  "email",
  "phone",
  "url",
  "picklist",
  "boolean",
  "double",
  "int",
  "date",
  "datetime",
];

export function customField(raw: unknown): FieldDef {
  if (!isPlainObject(raw) || typeof raw.name !== "string") throw bad("Each field needs a name.");
  const name = raw.name;
  if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$/.test(name)) {
    throw bad(`${name}: a custom field's API name ends with __c and has no other double underscore.`);
  }
  const type = (raw.type ?? "string") as FieldType;
  if (!customTypes.includes(type)) throw bad(`${name}: type must be one of ${customTypes.join(", ")}.`);
  const values = Array.isArray(raw.picklistValues) ? raw.picklistValues.map(String) : [];
  return field(name, typeof raw.label === "string" ? raw.label : name.slice(0, -3).replace(/_/g, " "), type, {
    custom: true,
    ...(typeof raw.length === "number" ? { length: raw.length } : {}),
    nillable: type === "boolean" ? false : raw.required !== true,
    unique: raw.unique === true,
    externalId: raw.externalId === true,
    idLookup: raw.externalId === true,
    picklistValues: values.map((v) => ({ value: v, label: v })),
    restrictedPicklist: type === "picklist" && raw.restricted !== false,
    ...(type === "double" ? { precision: 18, scale: 2 } : {}),
  });
}
