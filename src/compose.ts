import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { resolveMasterKey } from "./config/master-key.ts";
import type { Config } from "./config/schema.ts";
import { createSecretBox } from "./crypto/secret-box.ts";
import { createAdminApp } from "./http/admin-api/app.ts";
import { createRuntimeApp } from "./http/runtime/app.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import { type IdGenerator, randomIds } from "./lib/ids.ts";
import { type BootstrapReport, bootstrap } from "./services/bootstrap.ts";
import { type ServiceContext, silentLog } from "./services/context.ts";
import { startHousekeeping } from "./services/housekeeping.ts";
import { directoryAuthenticationSource } from "./services/sso/directory-source.ts";
import { openStore } from "./store/open-store.ts";
import { version } from "./version.ts";

export type Server = {
  readonly context: ServiceContext;
  readonly adminApp: FastifyInstance;
  readonly runtimeApp: FastifyInstance;
  readonly bootstrap: BootstrapReport;
  readonly masterKey: { source: "environment" | "file"; generated: boolean; file: string | undefined };
  close(): Promise<void>;
};

/** The one place that picks concrete implementations: configuration → store → services → HTTP. */
export const composeServer = async (
  config: Config,
  options: { logger?: Logger | undefined; clock?: Clock | undefined; ids?: IdGenerator | undefined } = {},
): Promise<Server> => {
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const store = openStore(config.databaseUrl);
  try {
    const context: ServiceContext = {
      store,
      clock: options.clock ?? systemClock,
      ids: options.ids ?? randomIds,
      secretBox: createSecretBox(masterKey.key),
      log: options.logger ?? silentLog,
      baseUrl: config.baseUrl,
      entityId: config.entityId,
      sso: {
        sessionLifetimeMinutes: config.sessionLifetimeMinutes,
        sessionIdleMinutes: config.sessionIdleMinutes,
        clockSkewSeconds: config.clockSkewSeconds,
      },
    };
    const report = await bootstrap(context, { adminPassword: config.adminPassword });
    const source = directoryAuthenticationSource(context);
    const http = { context, source, logger: options.logger, trustedProxies: config.trustedProxies };
    const adminApp = await createAdminApp({ ...http, version });
    const runtimeApp = await createRuntimeApp(http);
    const stopHousekeeping = startHousekeeping(context);
    return {
      context,
      adminApp,
      runtimeApp,
      bootstrap: report,
      masterKey: { source: masterKey.source, generated: masterKey.generated, file: masterKey.file },
      close: async () => {
        stopHousekeeping();
        await Promise.allSettled([adminApp.close(), runtimeApp.close()]);
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
};
