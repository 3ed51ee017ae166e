import { defaultLdapMapping } from "../src/provisioning/model/channel-config.ts";
import { systemActor } from "../src/services/context.ts";
import { createDataStore } from "../src/services/data-stores/data-stores.ts";
import { closeLdapPools } from "../src/services/data-stores/pools.ts";
import { runChannel } from "../src/services/provisioning/channels.ts";
import { openStore } from "../src/store/open-store.ts";
import { baseDn, serviceDn, servicePassword } from "../test/support/slapd-seed.ts";
import { benchContext, createBenchConnection } from "./engine-setup.ts";

export type PassFigures = {
  readonly seconds: number;
  /** CPU time this process spent on the pass, in seconds: on a busy machine, steadier than the wall time. */
  readonly cpuSeconds: number;
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
const context = benchContext(store);

const pass = async (): Promise<PassFigures> => {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await runChannel(context, "bench", "people");
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds: (performance.now() - startedAt) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
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
  await createBenchConnection(context, emulatorUrl, {
    name: "people",
    active: true,
    maxThreads: 4,
    channelSource: {
      dataSource: { id: "corp" },
      baseDn,
      userSourceLocation: { groupDN: scopeGroupDn },
    },
    attributeMapping: defaultLdapMapping("GENERIC"),
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
