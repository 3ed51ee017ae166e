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
import { createMetrics } from "./metrics/metrics.ts";
import { observedStore } from "./metrics/observed-store.ts";
import { type BootstrapReport, bootstrap } from "./services/bootstrap.ts";
import { type ServiceContext, silentLog } from "./services/context.ts";
import { signInSource } from "./services/credential-validators/sign-in-source.ts";
import { closeLdapPools } from "./services/data-stores/pools.ts";
import { startHousekeeping } from "./services/housekeeping.ts";
import { startProvisioning } from "./services/provisioning/background.ts";
import { openStore } from "./store/open-store.ts";
import type { AvailabilityListener } from "./store/unavailable.ts";
import { version } from "./version.ts";

export type Server = {
  readonly context: ServiceContext;
  readonly adminApp: FastifyInstance;
  readonly runtimeApp: FastifyInstance;
  readonly bootstrap: BootstrapReport & { readonly migrations: readonly string[] };
  readonly masterKey: { source: "environment" | "file"; generated: boolean; file: string | undefined };
  /** The first step of a graceful stop: readiness (and the heartbeat) answer 503 from now on. */
  drain(): void;
  /**
   * Stops accepting connections, lets in-flight requests and the provisioning batch in progress
   * finish, then closes the store.
   */
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

/** One line when the database stops answering and one when it is back, however many calls failed. */
const logOutages =
  (logger: Logger | undefined): AvailabilityListener =>
  ({ available, error }) => {
    if (available) logger?.info("the database answers again");
    else
      logger?.error(
        { code: "STORE_UNAVAILABLE", err: error },
        "the database is unavailable: requests answer 503 STORE_UNAVAILABLE until it returns",
      );
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
    /**
     * Run provisioning in the background (`serve` and the demo do; in-process tests drive
     * cycles themselves unless they ask for it).
     */
    provisioning?: boolean | undefined;
    /**
     * Measure for `GET /metrics` (the default). Off, there is no such route and no hook runs:
     * what the benchmark compares against to price the metrics.
     */
    metrics?: boolean | undefined;
  } = {},
): Promise<Server> => {
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const opened = openStore(config.databaseUrl, { onAvailability: logOutages(options.logger) });
  const apps: FastifyInstance[] = [];
  let provisioning: ReturnType<typeof startProvisioning> | undefined;
  let draining = false;
  const lifecycle = { isDraining: () => draining };
  const metrics =
    options.metrics === false
      ? undefined
      : createMetrics({
          channels: () => opened.provisioning.listChannels(),
          queue: () => provisioning?.depth(),
          pool: () => opened.poolStats(),
          dialect: opened.dialect,
          now: () => (options.clock ?? systemClock).now().getTime(),
        });
  const store = metrics ? observedStore(opened, metrics) : opened;
  try {
    const context = serviceContext(
      config,
      store,
      createSecretBox(masterKey.key, config.previousMasterKeys),
      options,
    );
    const migrations = await store.migrate();
    const source = signInSource(context);
    const http = {
      context,
      source,
      logger: options.logger,
      trustedProxies: config.trustedProxies,
      lifecycle,
    };
    const adminApp = await createAdminApp({
      ...http,
      version,
      metrics: metrics ? { metrics, isPublic: config.metricsPublic } : undefined,
    });
    await registerConsole(adminApp, context);
    apps.push(adminApp);
    const runtimeApp = await createRuntimeApp({ ...http, metrics });
    apps.push(runtimeApp);
    await options.beforeBootstrap?.({ runtimeApp, adminApp });
    const report = await bootstrap(context, { adminPassword: config.adminPassword });
    const stopHousekeeping = startHousekeeping(context);
    if (options.provisioning === true) provisioning = startProvisioning(context);
    return {
      context,
      adminApp,
      runtimeApp,
      bootstrap: { migrations, ...report },
      masterKey: { source: masterKey.source, generated: masterKey.generated, file: masterKey.file },
      drain: () => {
        draining = true;
      },
      close: async () => {
        draining = true;
        stopHousekeeping();
        // Together: the listeners stop accepting and finish what they have, while the cycle in
        // progress finishes its batch and records it; the store closes after both.
        await Promise.allSettled([provisioning?.stop(), adminApp.close(), runtimeApp.close()]);
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
  const noSecrets: SecretBox = {
    seal: refuseSecrets,
    open: refuseSecrets,
    openText: refuseSecrets,
    reseal: refuseSecrets,
    needsReseal: refuseSecrets,
    keyId: "",
  };
  return { context: serviceContext(config, store, noSecrets, {}), close: () => store.close() };
};
