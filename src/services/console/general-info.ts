import type { SpConnection } from "../../domain/sp-connection.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * The General Info tab (pingfederate-salesforce-spec.md §3.5) as a form edits it: the partner's
 * entity ID, the connection name, the virtual server IDs, the base URL, the contacts, the
 * application and the transaction logging mode. Errors name the form's fields.
 */
export type GeneralInfo = {
  readonly entityId: string;
  readonly name: string;
  readonly virtualEntityIds: readonly string[];
  readonly defaultVirtualEntityId: string;
  readonly baseUrl: string;
  readonly company: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly phone: string;
  readonly email: string;
  readonly applicationName: string;
  readonly applicationIconUrl: string;
  readonly loggingMode: LoggingMode;
};

export const loggingModes = ["NONE", "STANDARD", "ENHANCED", "FULL"] as const;
export type LoggingMode = (typeof loggingModes)[number];

export const generalInfoOf = (c: SpConnection): GeneralInfo => ({
  entityId: c.entityId,
  name: c.name,
  virtualEntityIds: c.virtualEntityIds ?? [],
  defaultVirtualEntityId: c.defaultVirtualEntityId ?? "",
  baseUrl: c.baseUrl ?? "",
  company: c.contactInfo?.company ?? "",
  firstName: c.contactInfo?.firstName ?? "",
  lastName: c.contactInfo?.lastName ?? "",
  phone: c.contactInfo?.phone ?? "",
  email: c.contactInfo?.email ?? "",
  applicationName: c.applicationName ?? "",
  applicationIconUrl: c.applicationIconUrl ?? "",
  loggingMode: c.loggingMode ?? "STANDARD",
});

const isHttpUrl = (text: string) => {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
};

/** What is missing or wrong, by form field; the entity ID must not be another connection's. */
export const generalInfoErrors = async (
  context: ServiceContext,
  info: GeneralInfo,
  selfId: string | undefined,
): Promise<ErrorDetail[]> => {
  const errors: ErrorDetail[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  if (info.entityId === "") add("entityId", "enter the partner's entity ID (Salesforce's Entity ID)");
  else {
    const holder = await context.store.connections.getByEntityId(info.entityId);
    if (holder && holder.id !== selfId)
      add("entityId", `connection "${holder.name}" already uses this entity ID`);
  }
  if (info.name === "") add("name", "enter a name for the connection");
  const seen = new Set<string>();
  for (const id of info.virtualEntityIds) {
    if (seen.has(id)) add("virtualEntityIds", `"${id}" is listed twice`);
    seen.add(id);
  }
  if (info.virtualEntityIds.length > 0 && info.defaultVirtualEntityId === "")
    add("defaultVirtualEntityId", "choose which virtual server ID is sent by default");
  if (info.defaultVirtualEntityId !== "" && !info.virtualEntityIds.includes(info.defaultVirtualEntityId))
    add("defaultVirtualEntityId", "must be one of the virtual server IDs");
  if (info.baseUrl !== "" && !isHttpUrl(info.baseUrl))
    add("baseUrl", "must be an absolute http(s) URL, such as https://acme.my.salesforce.com");
  if (info.email !== "" && !/^[^@\s]+@[^@\s]+$/.test(info.email))
    add("email", "must be an email address, such as idm@example.com");
  if (info.applicationIconUrl !== "" && !isHttpUrl(info.applicationIconUrl))
    add("applicationIconUrl", "must be an absolute http(s) URL");
  return errors;
};

const optional = (value: string) => (value === "" ? undefined : value);

/** Writes the tab's values into the document (in place); empty optional fields are left out. */
export const applyGeneralInfo = (c: SpConnection, info: GeneralInfo): void => {
  c.entityId = info.entityId;
  c.name = info.name;
  c.virtualEntityIds = [...info.virtualEntityIds];
  const set = <K extends "defaultVirtualEntityId" | "baseUrl" | "applicationName" | "applicationIconUrl">(
    key: K,
    value: string,
  ) => {
    const v = optional(value);
    if (v === undefined) delete c[key];
    else c[key] = v;
  };
  set("defaultVirtualEntityId", info.defaultVirtualEntityId);
  set("baseUrl", info.baseUrl);
  set("applicationName", info.applicationName);
  set("applicationIconUrl", info.applicationIconUrl);
  const contact = Object.fromEntries(
    (["company", "firstName", "lastName", "phone", "email"] as const)
      .map((k) => [k, info[k]] as const)
      .filter(([, v]) => v !== ""),
  );
  if (Object.keys(contact).length > 0) c.contactInfo = contact;
  else delete c.contactInfo;
  c.loggingMode = info.loggingMode;
};
