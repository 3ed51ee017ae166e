import { randomBytes } from "node:crypto";
import { AppError } from "../lib/errors.ts";
import { createAdminAccount } from "./admin-accounts.ts";
import { sealStoredSecrets } from "./connection-secrets.ts";
import { type ServiceContext, systemActor } from "./context.ts";
import { generateSigningKey } from "./keys.ts";

export type BootstrapReport = {
  /** Set when the admin account was created with a generated password (to be shown once). */
  generatedAdminPassword: string | undefined;
  createdAdmin: boolean;
  /** A configured admin password was not used, because admin accounts already exist. */
  ignoredAdminPassword: boolean;
  /** Set when a self-signed signing key pair was generated. */
  generatedSigningKeyId: string | undefined;
};

/** A generated admin password: 144 random bits, in characters a terminal copies cleanly. */
export const generateAdminPassword = (): string => randomBytes(18).toString("base64url");

const ignoreRace = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    // Another node bootstrapping the same database got there first; its record stands.
    if (!(error instanceof AppError && (error.code === "STORE_CONFLICT" || error.code === "ADMIN_EXISTS")))
      throw error;
  }
};

/**
 * First start on an empty (migrated) database: the `admin` account and a self-signed RSA-2048
 * signing key pair, and connection secrets stored in clear by older versions sealed. Later starts
 * change nothing else. The server runs this once both listeners are
 * open, so a start that fails never creates an account whose generated password nobody saw.
 */
export const bootstrap = async (
  context: ServiceContext,
  options: { adminPassword: string | undefined },
): Promise<BootstrapReport> => {
  // Connections stored before every secret-named field was sealed may hold secrets in clear.
  await sealStoredSecrets(context);
  const report: BootstrapReport = {
    generatedAdminPassword: undefined,
    createdAdmin: false,
    ignoredAdminPassword: false,
    generatedSigningKeyId: undefined,
  };
  if ((await context.store.adminAccounts.list()).length === 0) {
    const password = options.adminPassword ?? generateAdminPassword();
    await ignoreRace(async () => {
      await createAdminAccount(context, systemActor, { username: "admin", password, role: "ADMIN" });
      report.createdAdmin = true;
      if (options.adminPassword === undefined) report.generatedAdminPassword = password;
    });
  }
  report.ignoredAdminPassword = options.adminPassword !== undefined && !report.createdAdmin;
  if ((await context.store.signingKeys.list()).length === 0) {
    await ignoreRace(async () => {
      const key = await generateSigningKey(context, systemActor, {
        id: "default-signing",
        keyAlgorithm: "RSA",
        keySize: 2048,
      });
      report.generatedSigningKeyId = key.id;
    });
  }
  return report;
};
