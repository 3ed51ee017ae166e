import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { LightMyRequestResponse } from "fastify";
import { composeServer, type Server } from "../../src/compose.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import type { Clock } from "../../src/lib/clock.ts";
import { createLogger } from "../../src/logger.ts";

export const adminPassword = "correct-horse-battery-staple";
export const api = "/pf-admin-api/v1";

export type TestServer = Server & {
  dataDir: string;
  /** The master key this server was started with (to start another that can open its secrets). */
  masterKeyText: string;
  /** Every log line the server wrote, as text. */
  logs: () => string;
  request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    body?: unknown,
    options?: { headers?: Record<string, string>; auth?: string | null; raw?: string },
  ): Promise<LightMyRequestResponse>;
  dispose(): Promise<void>;
};

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** A whole Portico (store, services, both apps) on a temp data dir, driven with inject(). */
export const startTestServer = async (
  options: {
    databaseUrl?: string;
    masterKey?: string;
    env?: Record<string, string>;
    clock?: Clock;
    /** Provisioning in the background, as `serve` runs it (tests otherwise run cycles themselves). */
    provisioning?: boolean;
  } = {},
): Promise<TestServer> => {
  const dataDir = mkdtempSync(join(tmpdir(), "portico-srv-"));
  const masterKeyText = options.masterKey ?? generateMasterKey();
  const config = parseConfig(
    {
      PORTICO_DATA_DIR: dataDir,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_MASTER_KEY: masterKeyText,
      PORTICO_BASE_URL: "https://idp.example.com",
      ...(options.databaseUrl ? { PORTICO_DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    dataDir,
  );
  let logText = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const logger = createLogger("debug", sink);
  const server = await composeServer(config, {
    logger,
    clock: options.clock,
    provisioning: options.provisioning,
  });
  return {
    ...server,
    dataDir,
    masterKeyText,
    logs: () => logText,
    request: (method, path, body, requestOptions = {}) =>
      server.adminApp.inject({
        method,
        url:
          path.startsWith("/") && !path.startsWith(api) && !path.startsWith("/pf/") ? `${api}${path}` : path,
        headers: {
          ...(requestOptions.auth === null
            ? {}
            : { authorization: requestOptions.auth ?? basicAuth("admin", adminPassword) }),
          ...(method === "GET" ? {} : { "x-xsrf-header": "test" }),
          ...(body !== undefined || requestOptions.raw !== undefined
            ? { "content-type": "application/json" }
            : {}),
          ...requestOptions.headers,
        },
        ...(requestOptions.raw !== undefined
          ? { payload: requestOptions.raw }
          : body !== undefined
            ? { payload: JSON.stringify(body) }
            : {}),
      }),
    dispose: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
