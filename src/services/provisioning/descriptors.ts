import { AppError } from "../../lib/errors.ts";
import {
  type ConnectorDescriptor,
  salesforceConnectorDescriptor,
} from "../../provisioning/salesforce/descriptor.ts";

/** `GET /idp/connectors/descriptors[/{id}]`: the provisioning connectors Portico has, with their settings. */
export const listConnectorDescriptors = (): ConnectorDescriptor[] => [salesforceConnectorDescriptor()];

export const getConnectorDescriptor = (id: string): ConnectorDescriptor => {
  const found = listConnectorDescriptors().find((d) => d.id === id);
  if (found === undefined)
    throw new AppError("REQ_NOT_FOUND", { message: `No connector descriptor "${id}".` });
  return found;
};
