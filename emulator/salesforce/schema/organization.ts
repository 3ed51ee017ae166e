import { auditFields, field, flag, idField, picklist, plainValues, readOnly, text } from "./fields.ts";
import { languageValues, localeValues, timeZoneValues } from "./picklists.ts";
import type { ObjectDef } from "./types.ts";

/**
 * The org itself (key prefix 00D): one record whose Id is the org id. Clients read it to learn the
 * edition, whether the org is a sandbox and its instance; through the API it is read-only here.
 */

const lookedUp = { ...readOnly, nillable: false } as const;

export const organizationObject: ObjectDef = {
  name: "Organization",
  label: "Organization",
  labelPlural: "Organizations",
  keyPrefix: "00D",
  createable: false,
  updateable: false,
  deletable: false,
  queryable: true,
  setup: true,
  fields: [
    idField("Organization ID"),
    text("Name", "Name", 80, { ...lookedUp, nameField: true }),
    text("Division", "Division", 80, readOnly),
    field("Street", "Street", "textarea", { ...readOnly, length: 255 }),
    text("City", "City", 40, readOnly),
    text("State", "State/Province", 80, readOnly),
    text("PostalCode", "Zip/Postal Code", 20, readOnly),
    text("Country", "Country", 80, readOnly),
    field("Phone", "Phone", "phone", readOnly),
    field("Fax", "Fax", "phone", readOnly),
    text("PrimaryContact", "Primary Contact", 80, readOnly),
    picklist("DefaultLocaleSidKey", "Locale", localeValues, { ...lookedUp, restrictedPicklist: true }),
    picklist("TimeZoneSidKey", "Time Zone", timeZoneValues, { ...lookedUp, restrictedPicklist: true }),
    picklist("LanguageLocaleKey", "Language", languageValues, { ...lookedUp, restrictedPicklist: true }),
    field("FiscalYearStartMonth", "Fiscal Year Starts In", "int", { ...lookedUp, precision: 2 }),
    picklist(
      "OrganizationType",
      "Edition",
      plainValues(
        "Team Edition",
        "Professional Edition",
        "Enterprise Edition",
        "Developer Edition",
        "Personal Edition",
        "Unlimited Edition",
        "Contact Manager Edition",
        "Base Edition",
      ),
      { ...lookedUp, restrictedPicklist: true },
    ),
    text("NamespacePrefix", "Namespace Prefix", 15, readOnly),
    text("InstanceName", "Instance Name", 5, readOnly),
    flag("IsSandbox", "Is Sandbox", readOnly),
    flag("IsReadOnly", "Is Read Only", readOnly),
    field("TrialExpirationDate", "Trial Expiration Date", "datetime", readOnly),
    picklist("UiSkin", "UI Skin", plainValues("Theme1", "Theme2", "PortalDefault", "Webstore", "Theme3"), {
      ...readOnly,
      restrictedPicklist: true,
    }),
    ...auditFields(),
  ],
};
