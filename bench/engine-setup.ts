import { createSecretBox, generateMasterKey, parseMasterKey } from "../src/crypto/secret-box.ts";
import type { Channel } from "../src/domain/channel.ts";
import type { Store } from "../src/domain/ports.ts";
import { systemClock } from "../src/lib/clock.ts";
import { randomIds } from "../src/lib/ids.ts";
import { createConnection } from "../src/services/connections.ts";
import { type ServiceContext, silentLog, systemActor } from "../src/services/context.ts";
import { control } from "./emulator-process.ts";

/** The services over a bench's store, as `serve` gives them: real clock and ids, a fresh master key, no log. */
export const benchContext = (store: Store): ServiceContext => ({
  store,
  clock: systemClock,
  ids: randomIds,
  secretBox: createSecretBox(parseMasterKey(generateMasterKey())),
  log: silentLog,
  baseUrl: "http://localhost:9031",
  entityId: "http://localhost:9031",
  sso: { sessionLifetimeMinutes: 480, sessionIdleMinutes: 30, clockSkewSeconds: 180 },
});

/** The bench's connection "bench": the emulated org as its target (client credentials), with one channel. */
export const createBenchConnection = async (
  context: ServiceContext,
  emulatorUrl: string,
  channel: Channel,
): Promise<void> => {
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
      channels: [channel],
    },
  });
};
