import { describeCertificate } from "../crypto/certificate.ts";
import { generateSigningKeyPair, importPemKeyPair, importPkcs12 } from "../crypto/keys.ts";
import type { SigningKeyRecord } from "../domain/ports.ts";
import { AppError } from "../lib/errors.ts";
import { isResourceId } from "../lib/ids.ts";
import { recordAudit } from "./audit.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { jwtSigningKeyPairIdOf } from "./provisioning/target-settings.ts";

const defaultKeySetting = "defaultSigningKeyId";
const sealContext = (id: string) => `signingKey:${id}`;

/** A key pair as the admin API shows it: never the private key. */
export type SigningKeyView = {
  id: string;
  keyAlgorithm: "RSA" | "EC";
  keySize: number;
  subjectDN: string;
  issuerDN: string;
  serialNumber: string;
  sha1Fingerprint: string;
  sha256Fingerprint: string;
  validFrom: string;
  expires: string;
  status: "VALID" | "EXPIRED" | "NOT_YET_VALID";
  expiryWarning: string | null;
  isDefault: boolean;
  usedBy: { id: string; name: string; entityId: string }[];
};

export type GenerateKeyInput = {
  id?: string | undefined;
  commonName?: string | undefined;
  subjectDN?: string | undefined;
  keyAlgorithm?: "RSA" | "EC" | undefined;
  keySize?: number | undefined;
  validDays?: number | undefined;
};

export type ImportKeyInput =
  | {
      id?: string | undefined;
      format: "PEM";
      privateKey: string;
      certificate: string;
      password?: string | undefined;
    }
  | { id?: string | undefined; format: "PKCS12"; fileData: string; password: string };

/** Connections that reference each key (signing key, rollover alternatives, the Salesforce JWT key). */
const usage = async (context: ServiceContext) => {
  const byKey = new Map<string, { id: string; name: string; entityId: string }[]>();
  for (const connection of await context.store.connections.list()) {
    const settings = connection.document.credentials?.signingSettings;
    const ids = [
      settings?.signingKeyPairRef.id,
      ...(settings?.alternativeSigningKeyPairRefs ?? []).map((r) => r.id),
      jwtSigningKeyPairIdOf(connection.document),
    ];
    for (const id of new Set(ids)) {
      if (id === undefined) continue;
      const list = byKey.get(id) ?? [];
      list.push({ id: connection.id, name: connection.name, entityId: connection.entityId });
      byKey.set(id, list);
    }
  }
  return byKey;
};

const view = (
  context: ServiceContext,
  record: SigningKeyRecord,
  defaultId: string | undefined,
  usedBy: SigningKeyView["usedBy"],
): SigningKeyView => {
  const now = context.clock.now();
  const cert = describeCertificate(record.certificatePem, now);
  const status = cert.isExpired ? "EXPIRED" : new Date(cert.notBefore) > now ? "NOT_YET_VALID" : "VALID";
  return {
    id: record.id,
    keyAlgorithm: record.keyAlgorithm,
    keySize: record.keySize,
    subjectDN: cert.subjectDn,
    issuerDN: cert.issuerDn,
    serialNumber: cert.serialNumber,
    sha1Fingerprint: cert.sha1Thumbprint,
    sha256Fingerprint: cert.sha256Thumbprint,
    validFrom: cert.notBefore,
    expires: cert.notAfter,
    status,
    expiryWarning: cert.isExpired
      ? `The certificate expired on ${cert.notAfter}.`
      : cert.expiresWithin30Days
        ? `The certificate expires on ${cert.notAfter}, within 30 days: roll over to a new key.`
        : null,
    isDefault: record.id === defaultId,
    usedBy,
  };
};

const newId = async (context: ServiceContext, wanted: string | undefined): Promise<string> => {
  if (wanted !== undefined) {
    if (!isResourceId(wanted)) {
      throw new AppError("REQ_VALIDATION", {
        message: "id: must match [a-zA-Z0-9._-]{1,64}",
        details: [{ field: "id", message: "must match [a-zA-Z0-9._-]{1,64}" }],
      });
    }
    if (await context.store.signingKeys.get(wanted)) throw new AppError("KEY_EXISTS");
    return wanted;
  }
  return context.ids.next("key-");
};

const store = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
  pair: { privateKeyPem: string; certificatePem: string },
  action: string,
): Promise<SigningKeyView> => {
  const record = keyRecord(
    context,
    id,
    pair.certificatePem,
    context.secretBox.seal(pair.privateKeyPem, sealContext(id)),
  );
  const cert = { subjectDn: record.subjectDn, sha256Thumbprint: record.sha256Thumbprint };
  await context.store.signingKeys.create(record);
  let defaultId = await context.store.settings.get(defaultKeySetting);
  if (defaultId === undefined) {
    await context.store.settings.set(defaultKeySetting, id);
    defaultId = id;
  }
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    action,
    { type: "signingKey", id },
    {
      subjectDN: cert.subjectDn,
      sha256Fingerprint: cert.sha256Thumbprint,
    },
  );
  return view(context, record, defaultId, []);
};

export const listSigningKeys = async (context: ServiceContext): Promise<SigningKeyView[]> => {
  const [records, defaultId, byKey] = await Promise.all([
    context.store.signingKeys.list(),
    context.store.settings.get(defaultKeySetting),
    usage(context),
  ]);
  return records.map((r) => view(context, r, defaultId, byKey.get(r.id) ?? []));
};

export const getSigningKey = async (context: ServiceContext, id: string): Promise<SigningKeyView> => {
  const record = await context.store.signingKeys.get(id);
  if (!record) throw new AppError("KEY_NOT_FOUND", { message: `No signing key pair with id "${id}".` });
  const byKey = await usage(context);
  return view(context, record, await context.store.settings.get(defaultKeySetting), byKey.get(id) ?? []);
};

/** The PEM certificate: what the admin uploads to Salesforce as the Identity Provider Certificate. */
export const getSigningCertificatePem = async (context: ServiceContext, id: string): Promise<string> => {
  const record = await context.store.signingKeys.get(id);
  if (!record) throw new AppError("KEY_NOT_FOUND", { message: `No signing key pair with id "${id}".` });
  return record.certificatePem;
};

/**
 * Unsealed private keys by their sealed form: a key replaced under the same id has another sealed
 * form, so the cache never serves a stale key. Held in process memory only, like any key in use.
 */
const unsealed = new Map<string, string>();

/** A key pair ready to sign with: its record and its unsealed private key. Never returned by any API. */
export const loadSigningKeyPair = async (
  context: ServiceContext,
  id: string,
): Promise<{ record: SigningKeyRecord; privateKeyPem: string }> => {
  const record = await context.store.signingKeys.get(id);
  if (!record) throw new AppError("KEY_NOT_FOUND", { message: `No signing key pair with id "${id}".` });
  let privateKeyPem = unsealed.get(record.privateKeySealed);
  if (privateKeyPem === undefined) {
    privateKeyPem = context.secretBox.open(record.privateKeySealed, sealContext(id)).toString("utf8");
    if (unsealed.size >= 64) unsealed.clear();
    unsealed.set(record.privateKeySealed, privateKeyPem);
  }
  return { record, privateKeyPem };
};

/** The unsealed private key, for the signing code only. */
export const loadSigningPrivateKey = async (context: ServiceContext, id: string): Promise<string> =>
  (await loadSigningKeyPair(context, id)).privateKeyPem;

export const getDefaultSigningKeyId = (context: ServiceContext): Promise<string | undefined> =>
  context.store.settings.get(defaultKeySetting);

export const generateSigningKey = async (
  context: ServiceContext,
  actor: Actor,
  input: GenerateKeyInput,
): Promise<SigningKeyView> => {
  const id = await newId(context, input.id);
  const keyAlgorithm = input.keyAlgorithm ?? "RSA";
  if (keyAlgorithm === "EC" && input.keySize !== undefined && input.keySize !== 256) {
    throw new AppError("KEY_UNSUPPORTED", { message: "keySize: EC keys are P-256 (keySize 256)." });
  }
  if (
    keyAlgorithm === "RSA" &&
    input.keySize !== undefined &&
    input.keySize !== 2048 &&
    input.keySize !== 3072
  ) {
    throw new AppError("KEY_UNSUPPORTED", { message: "keySize: RSA keys are 2048 or 3072 bits." });
  }
  const subjectDn =
    input.subjectDN ?? `CN=${input.commonName ?? new URL(context.baseUrl).hostname}, O=Portico`;
  const pair = await generateSigningKeyPair({
    keyAlgorithm,
    ...(keyAlgorithm === "RSA"
      ? { keySize: input.keySize === 3072 ? 3072 : 2048 }
      : { curve: "P-256" as const }),
    subjectDn,
    validDays: input.validDays ?? 365 * 3,
    now: context.clock.now(),
  });
  return store(context, actor, id, pair, "signingKey.generate");
};

export const importSigningKey = async (
  context: ServiceContext,
  actor: Actor,
  input: ImportKeyInput,
): Promise<SigningKeyView> => {
  const id = await newId(context, input.id);
  const pair =
    input.format === "PEM"
      ? await importPemKeyPair({
          privateKeyPem: input.privateKey,
          certificatePem: input.certificate,
          ...(input.password === undefined ? {} : { password: input.password }),
        })
      : await importPkcs12({ pkcs12: Buffer.from(input.fileData, "base64"), password: input.password });
  return store(context, actor, id, pair, "signingKey.import");
};

export const setDefaultSigningKey = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
): Promise<void> => {
  if (!(await context.store.signingKeys.get(id))) throw new AppError("KEY_NOT_FOUND");
  await context.store.settings.set(defaultKeySetting, id);
  await recordAudit(context.store.auditLog, context.clock, actor, "signingKey.setDefault", {
    type: "signingKey",
    id,
  });
};

export const deleteSigningKey = async (context: ServiceContext, actor: Actor, id: string): Promise<void> => {
  if (!(await context.store.signingKeys.get(id))) {
    throw new AppError("KEY_NOT_FOUND", { message: `No signing key pair with id "${id}".` });
  }
  const users = (await usage(context)).get(id) ?? [];
  if (users.length > 0) {
    throw new AppError("KEY_IN_USE", {
      message: `The key pair is used by ${users.map((u) => `"${u.name}" (${u.id})`).join(", ")}.`,
    });
  }
  if ((await context.store.settings.get(defaultKeySetting)) === id) {
    throw new AppError("KEY_IN_USE", {
      message: "The key pair is the server's default; make another the default first.",
    });
  }
  await context.store.signingKeys.delete(id);
  await recordAudit(context.store.auditLog, context.clock, actor, "signingKey.delete", {
    type: "signingKey",
    id,
  });
};

/** Sealed form, for configuration export: the private key leaves only encrypted. */
export const exportSigningKeys = async (context: ServiceContext) =>
  (await context.store.signingKeys.list()).map((r) => ({
    id: r.id,
    certificate: r.certificatePem,
    encryptedPrivateKey: r.privateKeySealed,
  }));

/** Re-creates exported keys; refuses a sealed key this server's master key cannot open. */
export const importSealedSigningKey = async (
  context: ServiceContext,
  key: { id: string; certificate: string; encryptedPrivateKey: string },
): Promise<SigningKeyRecord> => {
  let privateKeyPem: string;
  try {
    privateKeyPem = context.secretBox.open(key.encryptedPrivateKey, sealContext(key.id)).toString("utf8");
  } catch (cause) {
    throw new AppError("CONFIG_BUNDLE_INVALID", {
      message: `keyPairs[${key.id}].encryptedPrivateKey cannot be opened: was it exported by a server with another master key?`,
      cause,
    });
  }
  const pair = await importPemKeyPair({ privateKeyPem, certificatePem: key.certificate });
  return keyRecord(context, key.id, pair.certificatePem, key.encryptedPrivateKey);
};

/**
 * A key pair from a PKCS#12 file (PingFederate's bulk export carries `/keyPairs/signing` so), as
 * the record to store, its private key sealed; refuses a file the password does not open.
 */
export const pkcs12KeyRecord = async (
  context: ServiceContext,
  key: { id: string; fileData: string; password: string },
): Promise<SigningKeyRecord> => {
  const pair = await importPkcs12({ pkcs12: Buffer.from(key.fileData, "base64"), password: key.password });
  return keyRecord(
    context,
    key.id,
    pair.certificatePem,
    context.secretBox.seal(pair.privateKeyPem, sealContext(key.id)),
  );
};

/** The stored form of a key pair: the certificate's facts beside the sealed private key. */
const keyRecord = (
  context: ServiceContext,
  id: string,
  certificatePem: string,
  privateKeySealed: string,
): SigningKeyRecord => {
  const cert = describeCertificate(certificatePem, context.clock.now());
  return {
    id,
    keyAlgorithm: cert.keyAlgorithm,
    keySize: typeof cert.keySize === "number" ? cert.keySize : 256,
    privateKeySealed,
    certificatePem,
    subjectDn: cert.subjectDn,
    serialNumber: cert.serialNumber,
    sha1Thumbprint: cert.sha1Thumbprint,
    sha256Thumbprint: cert.sha256Thumbprint,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    createdAt: context.clock.now().toISOString(),
  };
};

export { defaultKeySetting };

/** Re-seals under the current master key the private key of `record` if a previous key sealed it. */
export const resealSigningKey = async (
  context: ServiceContext,
  record: SigningKeyRecord,
): Promise<boolean> => {
  if (!context.secretBox.needsReseal(record.privateKeySealed)) return false;
  const sealed = context.secretBox.reseal(record.privateKeySealed, sealContext(record.id));
  return context.store.signingKeys.replaceSealedPrivateKey(record.id, sealed);
};
