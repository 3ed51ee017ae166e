import type { SObjectType } from "./schema/schema.ts";
import type { FieldDef } from "./schema/types.ts";

/** Describe results in the shape of jsforce's DescribeSObjectResult and Field (salesforce-api.md §2.5). */

function soapType(f: FieldDef): string {
  switch (f.type) {
    case "id":
    case "reference":
      return "tns:ID";
    case "boolean":
      return "xsd:boolean";
    case "datetime":
      return "xsd:dateTime";
    case "date":
      return "xsd:date";
    case "double":
      return "xsd:double";
    case "int":
      return "xsd:int";
    default:
      return "xsd:string";
  }
}

function describeField(f: FieldDef): Record<string, unknown> {
  const textual = ["string", "textarea", "email", "phone", "url", "picklist", "id", "reference"].includes(
    f.type,
  );
  const longText = f.type === "textarea" && f.length > 255;
  return {
    aggregatable: !longText && f.type !== "boolean",
    aiPredictionField: false,
    autoNumber: false,
    byteLength: textual ? f.length * 3 : 0,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: f.caseSensitive,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.type === "boolean" ? f.defaultValue : null,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === "int" ? f.precision : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId,
    extraTypeInfo: f.type === "textarea" ? (longText ? "plaintextarea" : null) : null,
    filterable: !longText,
    filteredLookupInfo: null,
    groupable: !longText && f.type !== "double" && f.type !== "datetime",
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.idLookup,
    inlineHelpText: null,
    label: f.label,
    length: textual ? f.length : 0,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.nameField,
    namePointing: f.referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && f.updateable,
    picklistValues: f.picklistValues.map((p) => ({
      active: true,
      defaultValue: p.defaultValue === true,
      label: p.label,
      validFor: null,
      value: p.value,
    })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.type === "double" ? f.precision : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    searchPrefilterable: false,
    soapType: soapType(f),
    sortable: !longText,
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

export function objectUrls(type: SObjectType, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${type.name}`;
  return {
    compactLayouts: `${base}/describe/compactLayouts`,
    rowTemplate: `${base}/{ID}`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    sobject: base,
  };
}

/** The entry for one object in the global describe and the basic-information resource. */
export function describeGlobalEntry(type: SObjectType, version: string): Record<string, unknown> {
  const d = type.def;
  return {
    activateable: false,
    createable: d.createable,
    custom: false,
    customSetting: false,
    deepCloneable: false,
    deletable: d.deletable,
    deprecatedAndHidden: false,
    feedEnabled: d.name === "User" || d.name === "Account" || d.name === "Contact",
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: d.keyPrefix,
    label: d.label,
    labelPlural: d.labelPlural,
    layoutable: d.createable,
    mergeable: d.name === "Account" || d.name === "Contact",
    mruEnabled: d.createable,
    name: d.name,
    queryable: d.queryable,
    replicateable: true,
    retrieveable: true,
    searchable: d.name === "User" || d.name === "Account" || d.name === "Contact",
    triggerable: d.createable,
    undeletable: d.deletable,
    updateable: d.updateable,
    urls: objectUrls(type, version),
  };
}

export function describeObject(
  type: SObjectType,
  version: string,
  all: SObjectType[],
): Record<string, unknown> {
  const childRelationships = all.flatMap((other) =>
    other.fields
      .filter((f) => f.referenceTo.includes(type.name) && f.relationshipName !== null)
      .map((f) => ({
        cascadeDelete: false,
        childSObject: other.name,
        deprecatedAndHidden: false,
        field: f.name,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: f.childRelationshipName,
        restrictedDelete: false,
      })),
  );
  return {
    ...describeGlobalEntry(type, version),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: type.def.createable,
    fields: type.fields.map(describeField),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: type.def.createable,
    supportedScopes: [{ label: "All users", name: "everything" }],
  };
}
