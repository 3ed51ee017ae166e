import type { Repositories } from "../../domain/ports.ts";
import {
  type ConfigField,
  type SpConnection,
  salesforceProvisionerType,
} from "../../domain/sp-connection.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import { missingTargetSettings, targetSettingErrors } from "../../provisioning/salesforce/target.ts";

/**
 * The Salesforce target settings when a connection is saved. Values must be valid whenever they
 * are given; the credentials the AUTH_METHOD needs may still be missing (PingFederate saves an
 * inactive channel too, and Connect to Salesforce fills the tokens in later), but not once a
 * channel is active: then provisioning would run with no way in.
 */

/** The Salesforce settings of a connection, or undefined when it provisions elsewhere (or not at all). */
export const salesforceSettingsOf = (connection: SpConnection): ConfigField[] | undefined =>
  connection.outboundProvision?.type === salesforceProvisionerType
    ? connection.outboundProvision.targetSettings
    : undefined;

/** The signing key pair the JWT bearer flow signs with, if the connection names one. */
export const jwtSigningKeyPairIdOf = (connection: SpConnection): string | undefined => {
  const value = salesforceSettingsOf(connection)
    ?.find((s) => s.name === "JWT_SIGNING_CERTIFICATE")
    ?.value?.trim();
  return value === undefined || value === "" ? undefined : value;
};

export const targetSettingsErrors = async (
  repos: Repositories,
  connection: SpConnection,
): Promise<ErrorDetail[]> => {
  const settings = salesforceSettingsOf(connection);
  if (settings === undefined) return [];
  const errors = targetSettingErrors(settings);
  const activeChannel = connection.outboundProvision?.channels.find((c) => c.active);
  if (activeChannel !== undefined) {
    errors.push(
      ...missingTargetSettings(settings).map((e) => ({
        ...e,
        message: `${e.message} (channel "${activeChannel.name}" is active)`,
      })),
    );
  }
  const keyPairId = jwtSigningKeyPairIdOf(connection);
  if (keyPairId !== undefined) {
    const key = await repos.signingKeys.get(keyPairId);
    const index = settings.findIndex((s) => s.name === "JWT_SIGNING_CERTIFICATE");
    const field = `outboundProvision.targetSettings[${index}] (JWT_SIGNING_CERTIFICATE)`;
    if (key === undefined) errors.push({ field, message: `no signing key pair "${keyPairId}"` });
    else if (key.keyAlgorithm !== "RSA") {
      errors.push({
        field,
        message: `"${keyPairId}" is an ${key.keyAlgorithm} key; Salesforce's JWT flow needs RSA`,
      });
    }
  }
  return errors;
};
