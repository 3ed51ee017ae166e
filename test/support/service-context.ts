import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretBox, generateMasterKey, parseMasterKey } from "../../src/crypto/secret-box.ts";
import type { Store } from "../../src/domain/ports.ts";
import { type Clock, fixedClock } from "../../src/lib/clock.ts";
import { sequentialIds } from "../../src/lib/ids.ts";
import { type Actor, type ServiceContext, silentLog } from "../../src/services/context.ts";
import { openStore } from "../../src/store/open-store.ts";

export const testActor: Actor = { name: "tester", kind: "admin" };

/**
 * The services' context over a real, migrated store (a temp SQLite file unless a database URL
 * is given), with a fixed clock: for service and engine tests that need no HTTP.
 */
export const openServiceContext = async (
  options: { databaseUrl?: string; clock?: Clock } = {},
): Promise<{ context: ServiceContext; store: Store; dispose(): Promise<void> }> => {
  const dir = mkdtempSync(join(tmpdir(), "portico-ctx-"));
  const store = openStore(options.databaseUrl ?? `sqlite:${join(dir, "portico.db")}`);
  await store.migrate();
  const context: ServiceContext = {
    store,
    clock: options.clock ?? fixedClock("2026-03-02T09:00:00.000Z"),
    ids: sequentialIds(),
    secretBox: createSecretBox(parseMasterKey(generateMasterKey())),
    log: silentLog,
    baseUrl: "https://idp.example.com",
    entityId: "https://idp.example.com",
    sso: { sessionLifetimeMinutes: 480, sessionIdleMinutes: 60, clockSkewSeconds: 180 },
  };
  return {
    context,
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
