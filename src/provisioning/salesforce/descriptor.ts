import { salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { authMethods, salesforceSettings } from "./settings.ts";

/**
 * The connector's descriptor in the shape of PingFederate's `GET /idp/connectors/descriptors`
 * (SaasPluginDescriptor: id, description, configDescriptor.fields of FieldDescriptor, and the
 * target fields a channel maps, which the engine's mapping supplies).
 */

export type FieldDescriptor = {
  readonly type: string;
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly required: boolean;
  readonly advanced: boolean;
  readonly defaultValue?: string;
  readonly optionValues?: readonly { readonly name: string; readonly value: string }[];
  /** Portico's addition: the AUTH_METHODs that cannot work without the field. */
  readonly requiredFor: readonly string[];
};

export type ConnectorDescriptor = {
  readonly id: string;
  readonly description: string;
  readonly configDescriptor: {
    readonly description: string;
    readonly fields: readonly FieldDescriptor[];
    readonly tables: readonly unknown[];
    readonly actionDescriptors: readonly unknown[];
  };
  readonly saasPluginFieldInfoDescriptors: readonly unknown[];
};

export const salesforceConnectorDescriptor = (): ConnectorDescriptor => ({
  id: salesforceProvisionerType,
  description:
    "Salesforce Provisioner: keeps Salesforce users (and Experience Cloud contacts) in step with the directory.",
  configDescriptor: {
    description: "Where and how Portico reaches the Salesforce org, and what it may change there.",
    fields: salesforceSettings.map((s) => ({
      type: s.type,
      name: s.name,
      label: s.label,
      description: s.description,
      // Required whatever the method; the others are required only for some AUTH_METHODs (requiredFor).
      required: s.requiredFor.length === authMethods.length,
      advanced: s.advanced === true,
      ...(s.defaultValue === undefined ? {} : { defaultValue: s.defaultValue }),
      ...(s.options === undefined ? {} : { optionValues: s.options }),
      requiredFor: s.requiredFor,
    })),
    tables: [],
    actionDescriptors: [],
  },
  saasPluginFieldInfoDescriptors: [],
});
