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
import type { ServiceContext } from "./services/context.ts";
import { directoryAuthenticationSource } from "./services/sso/directory-source.ts";
import { openStore } from "./store/open-store.ts";
import { version } from "./version.ts";

export type Server = {
  readonly context: ServiceContext;
  readonly adminApp: FastifyInstance;
  readonly runtimeApp: FastifyInstance;
  readonly bootstrap: BootstrapReport & { readonly migrations: readonly string[] };
  readonly masterKey: { source: "environment" | "file"; generated: boolean; file: string | undefined };
  close(): Promise<void>;
};

/** The one place that picks concrete implementations: configuration → store → services → HTTP. */
export const composeServer = async (
  config: Config,
  options: {
    logger?: Logger | undefined;
    clock?: Clock | undefined;
    ids?: IdGenerator | undefined;
    /**
     * Runs after the migrations and before the first-start bootstrap: `serve` opens its
     * listeners here, so a port in use fails the start before an admin account exists.
     */
    beforeBootstrap?:
      | ((apps: { runtimeApp: FastifyInstance; adminApp: FastifyInstance }) => Promise<void>)
      | undefined;
  } = {},
): Promise<Server> => {
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const store = openStore(config.databaseUrl);
  const apps: FastifyInstance[] = [];
  try {
    const context: ServiceContext = {
      store,
      clock: options.clock ?? systemClock,
      ids: options.ids ?? randomIds,
      secretBox: createSecretBox(masterKey.key),
      baseUrl: config.baseUrl,
      entityId: config.entityId,
      sso: {
        sessionLifetimeMinutes: config.sessionLifetimeMinutes,
        sessionIdleMinutes: config.sessionIdleMinutes,
        clockSkewSeconds: config.clockSkewSeconds,
      },
    };
    const migrations = await store.migrate();
    const source = directoryAuthenticationSource(context);
    const adminApp = await createAdminApp({ context, source, logger: options.logger, version });
    apps.push(adminApp);
    const runtimeApp = await createRuntimeApp({ context, source, logger: options.logger });
    apps.push(runtimeApp);
    await options.beforeBootstrap?.({ runtimeApp, adminApp });
    const report = await bootstrap(context, { adminPassword: config.adminPassword });
    return {
      context,
      adminApp,
      runtimeApp,
      bootstrap: { migrations, ...report },
      masterKey: { source: masterKey.source, generated: masterKey.generated, file: masterKey.file },
      close: async () => {
        await Promise.allSettled([adminApp.close(), runtimeApp.close()]);
        await store.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(apps.map((app) => app.close()));
    await store.close();
    throw error;
  }
};
