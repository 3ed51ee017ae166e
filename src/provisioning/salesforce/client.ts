import { AppError } from "../../lib/errors.ts";
import { apiError, networkError, type RecordError, recordError } from "./errors.ts";
import type { Session, TokenManager } from "./token-manager.ts";

/**
 * A small typed client for Salesforce's REST API on fetch (salesforce-api.md §2): one request
 * function with a per-call timeout, the 401 rule (renew once, then give up; never for a
 * policy refusal), the API-call counter and the usage Salesforce reports; the resources the
 * engine uses on top. Errors are translated only in errors.ts.
 */

export type SObjectFields = Readonly<Record<string, unknown>>;

/** One record's outcome in an sObject Collections call, in request order. */
export type RecordResult =
  | { readonly success: true; readonly id: string; readonly created?: boolean }
  | {
      readonly success: false;
      readonly id: string | undefined;
      readonly errors: readonly RecordError[];
      /** PROV_TARGET_REJECTED, or PROV_TARGET_UNAVAILABLE (retryable) for UNABLE_TO_LOCK_ROW and the like. */
      readonly error: AppError;
    };

export type DescribeField = {
  readonly name: string;
  readonly label: string;
  readonly type: string;
  readonly length: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly custom: boolean;
  readonly unique?: boolean;
  readonly externalId?: boolean;
  readonly idLookup?: boolean;
  readonly referenceTo?: readonly string[];
  readonly picklistValues?: readonly {
    value: string;
    label: string;
    active: boolean;
    defaultValue: boolean;
  }[];
};

export type DescribeSObject = {
  readonly name: string;
  readonly label: string;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly queryable: boolean;
  readonly fields: readonly DescribeField[];
};

export type RequestOptions = {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
};

export type SalesforceClient = {
  readonly apiVersion: string;
  /** REST calls sent by this client (token requests not included). */
  readonly apiCalls: number;
  /** The org's daily API usage from the last `Sforce-Limit-Info` header. */
  readonly apiUsage: { readonly used: number; readonly max: number } | undefined;
  session(): Promise<Session>;
  /**
   * One REST call. `path` is relative to `/services/data/vNN.0/`, or absolute on the instance when
   * it starts with `/services/`, or a full URL (the identity URL). Resolves to the parsed JSON body,
   * undefined for 204.
   */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** Every record a SOQL query matches, following nextRecordsUrl (§2.6). */
  query<T = SObjectFields>(soql: string): Promise<T[]>;
  queryPages<T = SObjectFields>(soql: string): AsyncGenerator<T[]>;
  describe(sobject: string): Promise<DescribeSObject>;
  /** sObject Collections (§2.7): 200 records a call, allOrNone false, one result per record. */
  create(sobject: string, records: readonly SObjectFields[]): Promise<RecordResult[]>;
  /** Each record carries its `Id`. */
  update(sobject: string, records: readonly SObjectFields[]): Promise<RecordResult[]>;
  delete(ids: readonly string[]): Promise<RecordResult[]>;
  /** PATCH /sobjects/{type}/{field}/{value}: creates or updates by an external id. */
  upsert(
    sobject: string,
    externalIdField: string,
    value: string,
    fields: SObjectFields,
  ): Promise<{ id: string | undefined; created: boolean }>;
  /** PATCH /composite/sobjects/{type}/{field}: each record carries its external id value. */
  upsertMany(
    sobject: string,
    externalIdField: string,
    records: readonly SObjectFields[],
  ): Promise<RecordResult[]>;
};

export const collectionSize = 200;
const defaultTimeoutMs = 60_000;

/** A SOQL string literal: quotes and backslashes escaped (§2.6), so a user's name cannot break out. */
export const soqlString = (value: string): string =>
  `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;

const chunks = <T>(items: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += collectionSize) out.push(items.slice(i, i + collectionSize));
  return out;
};

const toResults = (body: unknown, count: number): RecordResult[] => {
  const list = Array.isArray(body) ? body : [];
  return Array.from({ length: count }, (_, i): RecordResult => {
    const raw = (list[i] ?? {}) as { id?: unknown; success?: unknown; created?: unknown; errors?: unknown };
    const id = typeof raw.id === "string" ? raw.id : undefined;
    if (raw.success === true && id !== undefined) {
      return typeof raw.created === "boolean"
        ? { success: true, id, created: raw.created }
        : { success: true, id };
    }
    const errors = (Array.isArray(raw.errors) ? raw.errors : []).map(
      (e: { statusCode?: unknown; message?: unknown; fields?: unknown }): RecordError => ({
        statusCode: typeof e.statusCode === "string" ? e.statusCode : "UNKNOWN",
        message: typeof e.message === "string" ? e.message : "",
        fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
      }),
    );
    return { success: false, id, errors, error: recordError(errors) };
  });
};

/** A 401 Salesforce gives for a policy, not an expired session: renewing would only loop (§1.6). */
const isPolicyRefusal = (body: unknown): boolean =>
  JSON.stringify(body ?? "").includes("not valid for use with the REST API");

const readBody = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export const createSalesforceClient = (options: {
  tokens: TokenManager;
  apiVersion: string;
  timeoutMs?: number;
}): SalesforceClient => {
  const { tokens, apiVersion } = options;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let apiCalls = 0;
  let apiUsage: { used: number; max: number } | undefined;

  const urlFor = (session: Session, path: string, query?: Readonly<Record<string, string>>): string => {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(
          path.startsWith("/services/") ? path : `/services/data/v${apiVersion}/${path}`,
          session.instanceUrl,
        );
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  };

  const send = async (session: Session, method: string, url: string, options: RequestOptions) => {
    const limit = options.timeoutMs ?? timeoutMs;
    const signal =
      options.signal === undefined
        ? AbortSignal.timeout(limit)
        : AbortSignal.any([options.signal, AbortSignal.timeout(limit)]);
    apiCalls++;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${session.accessToken}`,
          accept: "application/json",
          "sforce-call-options": "client=Portico",
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        redirect: "error",
        signal,
      });
    } catch (error) {
      throw networkError(error, "api", url, limit);
    }
    const usage = /api-usage=(\d+)\/(\d+)/.exec(response.headers.get("sforce-limit-info") ?? "");
    if (usage) apiUsage = { used: Number(usage[1]), max: Number(usage[2]) };
    try {
      return { status: response.status, body: await readBody(response) };
    } catch (error) {
      throw networkError(error, "api", url, limit);
    }
  };

  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<T> => {
    let session = await tokens.session();
    let answer = await send(session, method, urlFor(session, path, options.query), options);
    if (answer.status === 401 && !isPolicyRefusal(answer.body)) {
      // One renewal, shared with every call that saw the same dead token, then one retry.
      session = await tokens.renew(session);
      answer = await send(session, method, urlFor(session, path, options.query), options);
    }
    if (answer.status === 300) {
      throw new AppError("PROV_TARGET_REJECTED", {
        message: `Salesforce: the external id in ${path} matches more than one record.`,
        cause: {
          source: "salesforce",
          httpStatus: 300,
          errorCode: "MULTIPLE_CHOICES",
          message: "",
          fields: [],
        },
      });
    }
    if (answer.status < 200 || answer.status >= 300) throw apiError(answer.status, answer.body);
    return answer.body as T;
  };

  async function* queryPages<T>(soql: string): AsyncGenerator<T[]> {
    let page = await request<{ records: T[]; done: boolean; nextRecordsUrl?: string }>("GET", "query", {
      query: { q: soql },
    });
    yield page.records;
    while (!page.done && page.nextRecordsUrl !== undefined) {
      page = await request("GET", page.nextRecordsUrl);
      yield page.records;
    }
  }

  const collection = async (
    method: string,
    body: (chunk: SObjectFields[]) => unknown,
    path: string,
    records: readonly SObjectFields[],
  ) => {
    const results: RecordResult[] = [];
    for (const chunk of chunks(records)) {
      results.push(...toResults(await request(method, path, { body: body(chunk) }), chunk.length));
    }
    return results;
  };
  const typed = (sobject: string, records: SObjectFields[]) =>
    records.map((r) => ({ attributes: { type: sobject }, ...r }));

  return {
    apiVersion,
    get apiCalls() {
      return apiCalls;
    },
    get apiUsage() {
      return apiUsage;
    },
    session: () => tokens.session(),
    request,
    query: async <T>(soql: string) => {
      const all: T[] = [];
      for await (const records of queryPages<T>(soql)) all.push(...records);
      return all;
    },
    queryPages,
    describe: (sobject) =>
      request<DescribeSObject>("GET", `sobjects/${encodeURIComponent(sobject)}/describe`),
    create: (sobject, records) =>
      collection(
        "POST",
        (chunk) => ({ allOrNone: false, records: typed(sobject, chunk) }),
        "composite/sobjects",
        records,
      ),
    update: (sobject, records) =>
      collection(
        "PATCH",
        (chunk) => ({ allOrNone: false, records: typed(sobject, chunk) }),
        "composite/sobjects",
        records,
      ),
    delete: async (ids) => {
      const results: RecordResult[] = [];
      for (const chunk of chunks(ids)) {
        const body = await request("DELETE", "composite/sobjects", {
          query: { ids: chunk.join(","), allOrNone: "false" },
        });
        results.push(...toResults(body, chunk.length));
      }
      return results;
    },
    upsert: async (sobject, externalIdField, value, fields) => {
      const { [externalIdField]: _omitted, ...body } = fields;
      const path = `sobjects/${encodeURIComponent(sobject)}/${encodeURIComponent(externalIdField)}/${encodeURIComponent(value)}`;
      const answer = await request<{ id?: unknown; created?: unknown } | undefined>("PATCH", path, { body });
      // 201 creates; 200 (v46+) or 204 (older versions) updates.
      return {
        id: typeof answer?.id === "string" ? answer.id : undefined,
        created: answer?.created === true,
      };
    },
    upsertMany: (sobject, externalIdField, records) =>
      collection(
        "PATCH",
        (chunk) => ({ allOrNone: false, records: typed(sobject, chunk) }),
        `composite/sobjects/${encodeURIComponent(sobject)}/${encodeURIComponent(externalIdField)}`,
        records,
      ),
  };
};
