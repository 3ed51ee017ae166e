import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { AppError, isErrorCode } from "../lib/errors.ts";

export type AdminClientOptions = {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
};

export type AdminClient = {
  readonly baseUrl: string;
  get<T = unknown>(path: string): Promise<T>;
  getText(path: string): Promise<string>;
  post<T = unknown>(path: string, body: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /**
   * A call that may take as long as it takes (a cycle waited for, an export), its body passed to
   * `onText` as it arrives when given; resolves with the whole body otherwise.
   */
  long(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    onText?: (text: string) => void,
  ): Promise<string>;
};

type Problem = { code?: unknown; detail?: unknown; errors?: unknown };

const fieldErrors = (errors: unknown): { field?: string; message: string }[] =>
  Array.isArray(errors)
    ? errors.flatMap((e: { field?: unknown; message?: unknown } | null) =>
        typeof e?.message === "string"
          ? [{ message: e.message, ...(typeof e.field === "string" ? { field: e.field } : {}) }]
          : [],
      )
    : [];

/**
 * An error answer as the API's own catalogue error: its code, detail and field errors, and the
 * HTTP status. An answer with no code the catalogue knows (a proxy's error page, a newer
 * server's code) is CLI_API_ERROR, with whatever code it named in the message.
 */
const failure = (status: number, statusText: string, text: string): AppError => {
  let problem: Problem = {};
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    // Not a problem document (a proxy's error page, say): report the status alone.
  }
  const detail = typeof problem.detail === "string" ? problem.detail : statusText;
  const details = fieldErrors(problem.errors);
  const more = details.length > 1 ? ` (+${details.length - 1} more)` : "";
  const message = `${detail}${more} (HTTP ${status})`;
  if (isErrorCode(problem.code)) return new AppError(problem.code, { message, details });
  const named = typeof problem.code === "string" ? `${problem.code.slice(0, 64)}: ` : "";
  return new AppError("CLI_API_ERROR", { message: `${named}${message}`, details });
};

/**
 * The admin API over fetch. Errors become AppErrors carrying the API's stable code, printed as
 * `CONN_INVALID: spBrowserSso.ssoServiceEndpoints: … (HTTP 422)`.
 */
export const createAdminClient = (options: AdminClientOptions): AdminClient => {
  const base = `${options.url.replace(/\/+$/, "")}/pf-admin-api/v1`;
  const authorization =
    options.token !== undefined
      ? `Bearer ${options.token}`
      : options.password !== undefined
        ? `Basic ${Buffer.from(`${options.user ?? "admin"}:${options.password}`).toString("base64")}`
        : undefined;

  const unreachable = (cause: unknown): AppError => {
    const reason =
      cause instanceof Error
        ? cause.cause instanceof Error
          ? cause.cause.message
          : cause.message
        : String(cause);
    return new AppError("CLI_CONNECTION_FAILED", {
      message:
        `cannot reach the admin API at ${options.url} (${reason}); ` +
        "is the server running there? Point the CLI at it with --url or PORTICO_ADMIN_URL",
      cause,
    });
  };

  const headersFor = (method: string, hasBody: boolean): Record<string, string> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (authorization) headers.Authorization = authorization;
    if (method !== "GET") headers["X-XSRF-Header"] = "portico-cli";
    if (hasBody) headers["Content-Type"] = "application/json";
    return headers;
  };

  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers = headersFor(method, body !== undefined);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (cause) {
      throw unreachable(cause);
    }
    if (!response.ok) throw failure(response.status, response.statusText, await response.text());
    return response;
  };

  // fetch (undici) gives up when the headers take more than 300 s, and AbortSignal.timeout would
  // cut an export short: node:http waits as long as the server works.
  const long = (
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    onText?: (text: string) => void,
  ): Promise<string> =>
    new Promise((resolve, reject) => {
      const url = new URL(`${base}${path}`);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = headersFor(method, payload !== undefined);
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(url, { method, headers }, (res) => {
        res.setEncoding("utf8");
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        let text = "";
        res.on("data", (chunk: string) => {
          if (ok && onText) onText(chunk);
          else text += chunk;
        });
        res.on("error", (cause) => reject(unreachable(cause)));
        res.on("end", () =>
          ok ? resolve(text) : reject(failure(res.statusCode ?? 0, res.statusMessage ?? "", text)),
        );
      });
      req.on("error", (cause) => reject(unreachable(cause)));
      req.end(payload);
    });
  const json = async <T>(response: Response): Promise<T> =>
    (response.status === 204 ? undefined : await response.json()) as T;

  return {
    baseUrl: base,
    get: async (path) => json(await call("GET", path)),
    getText: async (path) => (await call("GET", path)).text(),
    post: async (path, body) => json(await call("POST", path, body)),
    put: async (path, body) => json(await call("PUT", path, body)),
    delete: async (path) => {
      await call("DELETE", path);
    },
    long,
  };
};
