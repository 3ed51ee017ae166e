import { existsSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { resolveMasterKey } from "./config/master-key.ts";
import type { Config } from "./config/schema.ts";
import { registerConsole } from "./console/app.ts";
import { createSecretBox, type SecretBox } from "./crypto/secret-box.ts";
import type { Store } from "./domain/ports.ts";
import { createAdminApp } from "./http/admin-api/app.ts";
import { createRuntimeApp } from "./http/runtime/app.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import { AppError } from "./lib/errors.ts";
import { type IdGenerator, randomIds } from "./lib/ids.ts";
import { type BootstrapReport, bootstrap } from "./services/bootstrap.ts";
import { type ServiceContext, silentLog } from "./services/context.ts";
import { signInSource } from "./services/credential-validators/sign-in-source.ts";
import { closeLdapPools } from "./services/data-stores/pools.ts";
import { startHousekeeping } from "./services/housekeeping.ts";
import { startProvisioning } from "./services/provisioning/background.ts";
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

const serviceContext = (
  config: Config,
  store: Store,
  secretBox: SecretBox,
  options: { clock?: Clock | undefined; ids?: IdGenerator | undefined; logger?: Logger | undefined },
): ServiceContext => ({
  store,
  clock: options.clock ?? systemClock,
  ids: options.ids ?? randomIds,
  secretBox,
  log: options.logger ?? silentLog,
  baseUrl: config.baseUrl,
  entityId: config.entityId,
  nodeIndex: config.nodeIndex,
  sso: {
    sessionLifetimeMinutes: config.sessionLifetimeMinutes,
    sessionIdleMinutes: config.sessionIdleMinutes,
    clockSkewSeconds: config.clockSkewSeconds,
  },
});

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
    /**
     * Run provisioning in the background (`serve` and the demo do; in-process tests drive
     * cycles themselves unless they ask for it).
     */
    provisioning?: boolean | undefined;
  } = {},
): Promise<Server> => {
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const store = openStore(config.databaseUrl);
  const apps: FastifyInstance[] = [];
  try {
    const context = serviceContext(config, store, createSecretBox(masterKey.key), options);
    const migrations = await store.migrate();
    const source = signInSource(context);
    const http = { context, source, logger: options.logger, trustedProxies: config.trustedProxies };
    const adminApp = await createAdminApp({ ...http, version });
    await registerConsole(adminApp, context);
    apps.push(adminApp);
    const runtimeApp = await createRuntimeApp(http);
    apps.push(runtimeApp);
    await options.beforeBootstrap?.({ runtimeApp, adminApp });
    const report = await bootstrap(context, { adminPassword: config.adminPassword });
    const stopHousekeeping = startHousekeeping(context);
    const provisioning = options.provisioning === true ? startProvisioning(context) : undefined;
    return {
      context,
      adminApp,
      runtimeApp,
      bootstrap: { migrations, ...report },
      masterKey: { source: masterKey.source, generated: masterKey.generated, file: masterKey.file },
      close: async () => {
        stopHousekeeping();
        // The cycle in progress finishes its page and records it before the store closes.
        await provisioning?.stop();
        await Promise.allSettled([adminApp.close(), runtimeApp.close()]);
        await closeLdapPools(context);
        await store.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(apps.map((app) => app.close()));
    await store.close();
    throw error;
  }
};

const refuseSecrets = (): never => {
  throw new AppError("CFG_INVALID", { message: "This command does not open stored secrets." });
};

const notFound = (config: Config) =>
  new AppError("STORE_NOT_FOUND", {
    message: `No Portico database at ${config.databaseUrl.startsWith("sqlite:") ? config.databaseUrl.slice(7) : "PORTICO_DATABASE_URL"}: check PORTICO_DATA_DIR or PORTICO_DATABASE_URL (or start \`portico serve\` once).`,
  });

/**
 * The services on an existing database, for commands that run on this machine instead of
 * through the admin API (`portico admin reset-password`): no listeners, no migrations, no
 * master key (none is generated), and nothing created where no database is — a wrong data dir is
 * an error, not a new empty installation. Safe beside a running server: SQLite is in WAL mode.
 */
export const composeLocal = async (
  config: Config,
): Promise<{ context: ServiceContext; close(): Promise<void> }> => {
  if (config.databaseUrl.startsWith("sqlite:") && !existsSync(config.databaseUrl.slice(7)))
    throw notFound(config);
  const store = openStore(config.databaseUrl);
  try {
    await store.adminAccounts.list();
  } catch (error) {
    await store.close();
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : "";
    // An empty database: PostgreSQL's undefined_table, SQLite's "no such table".
    if (code === "42P01" || /no such table/.test(message)) throw notFound(config);
    throw error;
  }
  const noSecrets: SecretBox = { seal: refuseSecrets, open: refuseSecrets, openText: refuseSecrets };
  return { context: serviceContext(config, store, noSecrets, {}), close: () => store.close() };
};
