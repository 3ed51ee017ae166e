/**
 * Portico's part of `npm run bench:ldap`, in a process of its own so that its peak RSS is
 * Portico's alone (slapd and the emulator run in theirs): a connection whose channel reads the
 * slapd data store "corp", a full pass, then — when bench/ldap.ts has changed entries and says
 * so over IPC — an incremental pass.
 *
 *   (started by bench/ldap.ts) tsx bench/ldap-engine.ts <sqlite URL> <emulator URL> <LDAP host:port> <scope group DN>
 */
import { createSecretBox, generateMasterKey, parseMasterKey } from "../src/crypto/secret-box.ts";
import { systemClock } from "../src/lib/clock.ts";
import { randomIds } from "../src/lib/ids.ts";
import { defaultLdapMapping } from "../src/provisioning/model/channel-config.ts";
import { createConnection } from "../src/services/connections.ts";
import { type ServiceContext, silentLog, systemActor } from "../src/services/context.ts";
import { createDataStore } from "../src/services/data-stores/data-stores.ts";
import { closeLdapPools } from "../src/services/data-stores/pools.ts";
import { runChannel } from "../src/services/provisioning/channels.ts";
import { openStore } from "../src/store/open-store.ts";
import { baseDn, serviceDn, servicePassword } from "../test/support/slapd-seed.ts";
import { control } from "./emulator-process.ts";

export type PassFigures = {
  readonly seconds: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly apiCalls: number;
  readonly failures: number;
  readonly message: string | null;
  /** The channel's position after the pass. */
  readonly watermark: string | null;
  /** This process's peak RSS so far, in kB. */
  readonly peakRss: number;
};

/** What the engine tells bench/ldap.ts, in order; bench/ldap.ts answers "full" with "incremental". */
export type EngineMessage =
  | { readonly kind: "ready"; readonly rss: number }
  | { readonly kind: "full"; readonly figures: PassFigures }
  | { readonly kind: "incremental"; readonly figures: PassFigures };

const send = (message: EngineMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

const nextMessage = () => new Promise<unknown>((resolve) => process.once("message", resolve));

const [database = "", emulatorUrl = "", ldapHost = "", scopeGroupDn = ""] = process.argv.slice(2);
const store = openStore(database);
await store.migrate();
const context: ServiceContext = {
  store,
  clock: systemClock,
  ids: randomIds,
  secretBox: createSecretBox(parseMasterKey(generateMasterKey())),
  log: silentLog,
  baseUrl: "http://localhost:9031",
  entityId: "http://localhost:9031",
  sso: { sessionLifetimeMinutes: 480, sessionIdleMinutes: 30, clockSkewSeconds: 180 },
};

const pass = async (): Promise<PassFigures> => {
  const startedAt = performance.now();
  const report = await runChannel(context, "bench", "people");
  return {
    seconds: (performance.now() - startedAt) / 1000,
    counts: report.summary.counts,
    apiCalls: report.summary.apiCalls,
    failures: report.summary.failures,
    message: report.summary.message,
    watermark: report.state.watermark,
    peakRss: process.resourceUsage().maxRSS,
  };
};

try {
  await createDataStore(context, systemActor, {
    type: "LDAP",
    id: "corp",
    name: "Bench slapd",
    ldapType: "GENERIC",
    hostnames: [ldapHost],
    userDN: serviceDn,
    password: servicePassword,
  });
  const org = await control(emulatorUrl, "GET", "/org");
  await createConnection(context, systemActor, {
    id: "bench",
    entityId: "https://bench.my.salesforce.com",
    name: "Bench org",
    active: true,
    outboundProvision: {
      type: "SalesforceProvisioner",
      targetSettings: [
        { name: "SALESFORCE_DOMAIN", value: emulatorUrl },
        { name: "AUTH_METHOD", value: "CLIENT_CREDENTIALS" },
        { name: "CLIENT_ID", value: String(org.clientId) },
        { name: "CLIENT_SECRET", value: String(org.clientSecret) },
      ],
      channels: [
        {
          name: "people",
          active: true,
          maxThreads: 4,
          channelSource: {
            dataSource: { id: "corp" },
            baseDn,
            userSourceLocation: { groupDN: scopeGroupDn },
          },
          attributeMapping: defaultLdapMapping("GENERIC"),
        },
      ],
    },
  });
  await send({ kind: "ready", rss: process.resourceUsage().maxRSS });
  await nextMessage();
  await send({ kind: "full", figures: await pass() });
  await nextMessage();
  await send({ kind: "incremental", figures: await pass() });
} finally {
  await closeLdapPools(context);
  await store.close();
  process.disconnect?.();
}
