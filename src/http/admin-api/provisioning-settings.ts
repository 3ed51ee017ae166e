import { Type } from "@sinclair/typebox";
import type { ServiceContext } from "../../services/context.ts";
import {
  defaultMapping,
  refreshFieldReport,
  storedFieldReport,
} from "../../services/provisioning/field-report.ts";
import {
  getOutboundProvisioningSettings,
  OutboundProvisioningSettings,
  putOutboundProvisioningSettings,
} from "../../services/provisioning/server-settings.ts";
import { principalOf } from "./principal.ts";
import { ConnectionParams, DefaultMapping, FieldReport } from "./provisioning-schemas.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * What provisioning is configured against: Salesforce's fields per connection (Refresh Fields),
 * the default mapping for the built-in directory, and the server-wide schedule and safety net.
 */

export const provisioningSettingsRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Provisioning"];

    api.post(
      "/provisioning/connections/:connectionId/refreshFields",
      {
        schema: {
          tags,
          summary:
            "Refresh Fields: read Salesforce's User (and with Communities Contact) fields, and check each channel's mapping",
          params: ConnectionParams,
          response: { 200: FieldReport, ...problems, 503: problems[422] },
        },
      },
      async (request) => refreshFieldReport(context, principalOf(request), request.params.connectionId),
    );

    api.get(
      "/provisioning/connections/:connectionId/fields",
      {
        schema: {
          tags,
          summary: "Salesforce's fields as last refreshed (View Partner Field Specifications)",
          params: ConnectionParams,
          response: { 200: FieldReport, ...problems },
        },
      },
      async (request) => storedFieldReport(context, request.params.connectionId),
    );

    api.get(
      "/provisioning/defaultMapping",
      {
        schema: {
          tags,
          summary: "The attribute mapping a channel starts from, on the built-in directory or a data store",
          querystring: Type.Object(
            {
              dataStore: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 64,
                  description: "an LDAP data store's id: the mapping for its kind of directory",
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: DefaultMapping, ...problems },
        },
      },
      async (request) => defaultMapping(context, request.query.dataStore),
    );

    api.get(
      "/serverSettings/outboundProvisioning",
      {
        schema: {
          tags,
          summary: "Synchronization frequency, full passes and the safety net against mass deactivation",
          response: { 200: OutboundProvisioningSettings, ...problems },
        },
      },
      async () => getOutboundProvisioningSettings(context),
    );

    api.put(
      "/serverSettings/outboundProvisioning",
      {
        schema: {
          tags,
          summary: "Change the outbound provisioning settings (the whole document)",
          body: OutboundProvisioningSettings,
          response: { 200: OutboundProvisioningSettings, ...problems },
        },
      },
      async (request) => putOutboundProvisioningSettings(context, principalOf(request), request.body),
    );
  };
