import type { AppError } from "../../lib/errors.ts";
import { samlErrorStatus } from "../../saml/authn-request/error-status.ts";
import type { ServiceContext } from "../context.ts";
import { issueErrorResponse } from "./issue-response.ts";
import type { ActiveConnection, SsoOutcome } from "./types.ts";

/** A SAML error Response to a trusted ACS (saml-core §3.2.2), instead of an assertion. */
export const errorPost = async (
  context: ServiceContext,
  connection: ActiveConnection,
  acsUrl: string,
  inResponseTo: string | undefined,
  relayState: string | undefined,
  error: AppError,
): Promise<SsoOutcome> => {
  const xml = await issueErrorResponse(context, {
    connection,
    acsUrl,
    inResponseTo,
    status: samlErrorStatus(error.code),
  });
  return {
    kind: "post-error",
    connectionId: connection.id,
    action: acsUrl,
    code: error.code,
    fields: { SAMLResponse: Buffer.from(xml).toString("base64"), RelayState: relayState },
  };
};
