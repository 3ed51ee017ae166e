import { Type } from "@sinclair/typebox";
import { HtmlFormAdapter, PasswordCredentialValidator } from "../../domain/credential-validator.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  getHtmlFormAdapter,
  htmlFormId,
  updateHtmlFormAdapter,
} from "../../services/credential-validators/html-form.ts";
import {
  createValidator,
  deleteValidator,
  getValidatorRecord,
  listValidators,
  presentValidator,
  updateValidator,
  validatorLocation,
} from "../../services/credential-validators/validators.ts";
import { principalOf } from "./principal.ts";
import { IdParams, Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/** `/passwordCredentialValidators` and `/idp/adapters/htmlform`, in PingFederate's shapes. */

const AdapterParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

const onlyHtmlForm = ({ id }: { id: string }) => {
  if (id !== htmlFormId)
    throw new AppError("ADAPTER_NOT_FOUND", {
      message: `No IdP adapter "${id}"; Portico's sign-in form is "${htmlFormId}".`,
    });
};

export const credentialValidatorRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Sign-in"];
    api.get(
      "/passwordCredentialValidators",
      {
        schema: {
          tags,
          summary: "List password credential validators",
          response: { 200: Items(PasswordCredentialValidator), ...problems },
        },
      },
      async () => ({ items: await listValidators(context) }),
    );

    api.post(
      "/passwordCredentialValidators",
      {
        schema: {
          tags,
          summary: "Create an LDAP Username Password Credential Validator",
          body: PasswordCredentialValidator,
          response: { 201: PasswordCredentialValidator, ...problems },
        },
      },
      async (request, reply) => {
        const created = await createValidator(context, principalOf(request), request.body);
        reply.status(201).header("Location", validatorLocation(created.id ?? ""));
        return created;
      },
    );

    api.get(
      "/passwordCredentialValidators/:id",
      {
        schema: {
          tags,
          summary: "One password credential validator",
          params: IdParams,
          response: { 200: PasswordCredentialValidator, ...problems },
        },
      },
      async (request) => presentValidator(await getValidatorRecord(context, request.params.id)),
    );

    api.put(
      "/passwordCredentialValidators/:id",
      {
        schema: {
          tags,
          summary: "Replace a password credential validator",
          params: IdParams,
          body: PasswordCredentialValidator,
          response: { 200: PasswordCredentialValidator, ...problems },
        },
      },
      async (request) => updateValidator(context, principalOf(request), request.params.id, request.body),
    );

    api.delete(
      "/passwordCredentialValidators/:id",
      {
        schema: {
          tags,
          summary: "Delete a validator that the sign-in form does not list",
          params: IdParams,
          response: { 204: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        await deleteValidator(context, principalOf(request), request.params.id);
        reply.status(204).send(null);
      },
    );

    api.get(
      "/idp/adapters/:id",
      {
        schema: {
          tags,
          summary: "The sign-in form (htmlform) and its Credential Validators, tried in order",
          params: AdapterParams,
          response: { 200: HtmlFormAdapter, ...problems },
        },
      },
      async (request) => {
        onlyHtmlForm(request.params);
        return getHtmlFormAdapter(context);
      },
    );

    api.put(
      "/idp/adapters/:id",
      {
        schema: {
          tags,
          summary: `Replace the sign-in form's Credential Validators ("PorticoDirectory" is the built-in directory)`,
          params: AdapterParams,
          body: HtmlFormAdapter,
          response: { 200: HtmlFormAdapter, ...problems },
        },
      },
      async (request) => {
        onlyHtmlForm(request.params);
        return updateHtmlFormAdapter(context, principalOf(request), request.body);
      },
    );
  };
