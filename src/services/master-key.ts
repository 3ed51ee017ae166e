import { sealedKeyId } from "../crypto/secret-box.ts";
import { isAppError } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { resealConnectionSecrets } from "./connection-secrets.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { resealDataStoreSecrets } from "./data-stores/secrets.ts";
import { resealSigningKey } from "./keys.ts";
import { resealProvisioningTokens } from "./provisioning/target.ts";
import { pairwiseSecretSealContext, pairwiseSecretSetting } from "./sso/name-id.ts";

/**
 * Master-key rotation. Every node starts with the new key as PORTICO_MASTER_KEY and the old one
 * in PORTICO_MASTER_KEY_PREVIOUS, so it opens both; then `reseal` seals again, under the new key,
 * every stored secret a previous key sealed (private keys, connection and data-store secrets,
 * provisioning tokens, the pairwise-identifier secret). When the status shows none left under
 * another key, PORTICO_MASTER_KEY_PREVIOUS can go. Short-lived sealed values (sign-in forms,
 * logout state, OAuth state) expire on their own within minutes.
 */

export type SealedInventory = {
  /** The current master key's id. */
  readonly keyId: string;
  /** Stored sealed values by the id of the key that sealed them ("v1": before key ids). */
  readonly byKeyId: Readonly<Record<string, number>>;
};

export type ResealReport = SealedInventory & {
  /** How many values were sealed again under the current key, by kind. */
  readonly resealed: Readonly<Record<string, number>>;
  /** Values no configured key opens: where they are (never what they hold). */
  readonly unreadable: readonly string[];
};

type Found = { kind: string; where: string; sealed: string };

/** Every stored sealed value, with where it lives. */
const inventory = async (context: ServiceContext): Promise<Found[]> => {
  const found: Found[] = [];
  for (const key of await context.store.signingKeys.list())
    found.push({ kind: "signingKeys", where: `signing key ${key.id}`, sealed: key.privateKeySealed });
  for (const record of await context.store.connections.list()) {
    const text = JSON.stringify(record.document);
    for (const match of text.matchAll(/"encryptedValue":"([^"]+)"/g))
      found.push({ kind: "connections", where: `connection ${record.id}`, sealed: match[1] ?? "" });
    const tokens = await context.store.provisioningTokens.get(record.id);
    if (tokens)
      found.push({ kind: "provisioningTokens", where: `tokens of ${record.id}`, sealed: tokens.sealed });
  }
  for (const record of await context.store.dataStores.list())
    for (const [name, value] of Object.entries(record.document))
      if (name.startsWith("encrypted") && typeof value === "string")
        found.push({ kind: "dataStores", where: `data store ${record.id}`, sealed: value });
  const pairwise = await context.store.settings.get(pairwiseSecretSetting);
  if (pairwise !== undefined)
    found.push({ kind: "settings", where: "pairwise-identifier secret", sealed: pairwise });
  return found;
};

const count = (found: readonly Found[]): Record<string, number> => {
  const byKeyId: Record<string, number> = {};
  for (const { sealed } of found) {
    const id = sealedKeyId(sealed) ?? "unknown";
    byKeyId[id] = (byKeyId[id] ?? 0) + 1;
  }
  return byKeyId;
};

export const masterKeyStatus = async (context: ServiceContext): Promise<SealedInventory> => ({
  keyId: context.secretBox.keyId,
  byKeyId: count(await inventory(context)),
});

/** Seals again under the current master key every stored secret a previous key sealed. */
export const resealSecrets = async (context: ServiceContext, actor: Actor): Promise<ResealReport> => {
  const resealed: Record<string, number> = {};
  const unreadable: string[] = [];
  const add = (kind: string, n: number) => {
    if (n > 0) resealed[kind] = (resealed[kind] ?? 0) + n;
  };
  /** Runs one owner's re-seal; a value no key opens is reported, and the others go on. */
  const attempt = async (where: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (isAppError(error) && error.code === "CRYPTO_DECRYPT_FAILED") unreadable.push(where);
      else throw error;
    }
  };

  for (const key of await context.store.signingKeys.list())
    await attempt(`signing key ${key.id}`, async () =>
      add("signingKeys", (await resealSigningKey(context, key)) ? 1 : 0),
    );
  for (const record of await context.store.connections.list()) {
    await attempt(`connection ${record.id}`, async () => {
      const document = structuredClone(record.document);
      const n = resealConnectionSecrets(context, document);
      // Only the sealed values change: the record's update time and the audit trail of config stay.
      if (n > 0) await context.store.connections.update({ ...record, document });
      add("connections", n);
    });
    await attempt(`tokens of ${record.id}`, async () =>
      add("provisioningTokens", (await resealProvisioningTokens(context, record.id)) ? 1 : 0),
    );
  }
  for (const record of await context.store.dataStores.list()) {
    await attempt(`data store ${record.id}`, async () => {
      const document = structuredClone(record.document);
      const n = resealDataStoreSecrets(context, document);
      if (n > 0) await context.store.dataStores.update({ ...record, document });
      add("dataStores", n);
    });
  }
  await attempt("pairwise-identifier secret", async () => {
    const sealed = await context.store.settings.get(pairwiseSecretSetting);
    if (sealed === undefined || !context.secretBox.needsReseal(sealed)) return;
    await context.store.settings.set(
      pairwiseSecretSetting,
      context.secretBox.reseal(sealed, pairwiseSecretSealContext),
    );
    add("settings", 1);
  });

  const status = await masterKeyStatus(context);
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "masterKey.reseal",
    { type: "masterKey", id: status.keyId },
    { resealed, unreadable: unreadable.length },
  );
  return { ...status, resealed, unreadable };
};
