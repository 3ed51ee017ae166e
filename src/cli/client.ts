import { CliError } from "./io.ts";

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
};

type Problem = { code?: string; detail?: string; errors?: { field?: string; message: string }[] };

/**
 * The admin API over fetch. Errors become one-line CliErrors carrying the API's stable code:
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

  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (authorization) headers.Authorization = authorization;
    if (method !== "GET") headers["X-XSRF-Header"] = "portico-cli";
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error
          ? cause.cause instanceof Error
            ? cause.cause.message
            : cause.message
          : String(cause);
      throw new CliError(
        `CLI_CONNECTION_FAILED: cannot reach the admin API at ${options.url} (${reason}); ` +
          "is the server running there? Point the CLI at it with --url or PORTICO_ADMIN_URL",
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let problem: Problem = {};
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        // Not a problem document (a proxy's error page, say): report the status alone.
      }
      const detail = problem.detail ?? response.statusText;
      const more = (problem.errors ?? []).length > 1 ? ` (+${(problem.errors ?? []).length - 1} more)` : "";
      throw new CliError(`${problem.code ?? "HTTP_ERROR"}: ${detail}${more} (HTTP ${response.status})`);
    }
    return response;
  };
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
  };
};
