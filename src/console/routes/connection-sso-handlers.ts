import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { SpConnection } from "../../domain/sp-connection.ts";
import type { SafeHtml } from "../../http/html.ts";
import { isAppError } from "../../lib/errors.ts";
import { addLdapSource, deleteLdapSource } from "../../services/console/attribute-sources-edit.ts";
import { applyBrowserSso, applyCredentials, editAcs } from "../../services/console/browser-sso-edit.ts";
import type { ServiceContext } from "../../services/context.ts";
import { listDataStores } from "../../services/data-stores/data-stores.ts";
import { getSigningCertificatePem, listSigningKeys } from "../../services/keys.ts";
import { redirectWithNotice, sendPage } from "../request.ts";
import type { FormErrors } from "../views/connection-actions.ts";
import type { DataStoreChoice, SourceValues } from "../views/connection-attribute-sources.ts";
import { browserSsoBody, browserSsoLabels } from "../views/connection-browser-sso.ts";
import { credentialsBody, credentialsLabels, type KeyChoice } from "../views/connection-credentials.ts";
import type { Viewer } from "../views/layout.ts";

/**
 * The Browser SSO and Credentials tabs, the same for a draft in the Create Connection wizard and
 * for a stored connection: a `Target` says where the document comes from, how a tab's change is
 * kept (in the draft, or stored through the admin API's update) and how its pages look.
 */
export type Target = {
  readonly document: SpConnection;
  readonly submitLabel: string;
  path(tab: string): string;
  page(o: {
    tab: string;
    body: SafeHtml;
    errors: FormErrors;
    labels: Readonly<Record<string, string>>;
    notice?: string | undefined;
  }): string;
  /** Keeps the changed document; returns what the service refused (nothing when kept). */
  commit(document: SpConnection, tab: string): Promise<FormErrors>;
  /** Where to go after a tab is kept, and what to say there. */
  after(tab: string): { location: string; notice: string };
};

const list = Type.Optional(
  Type.Union([
    Type.String({ maxLength: 4096 }),
    Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 200 }),
  ]),
);
const text = Type.Optional(Type.String({ maxLength: 4096 }));
const Csrf = { _csrf: Type.String() };

export const BrowserSsoForm = Type.Object({
  ...Csrf,
  profile: list,
  minutesBefore: text,
  minutesAfter: text,
  identityMapping: text,
  attrName: list,
  attrFormat: list,
  attrSource: list,
  attrValue: list,
  binding: list,
  requireSignedAuthnRequests: text,
  signAssertions: text,
  signResponseAsRequired: text,
  encryptAssertion: text,
  sloBinding: list,
  sloUrl: list,
  sloResponseUrl: list,
});
export const SourcesForm = Type.Object({
  ...Csrf,
  op: Type.Union([Type.Literal("add"), Type.Literal("delete")]),
  sourceId: text,
  sourceDataStore: text,
  sourceBaseDn: text,
  sourceScope: text,
  sourceFilter: text,
  sourceAttributes: text,
});
export const AcsForm = Type.Object({
  ...Csrf,
  op: Type.Union([Type.Literal("add"), Type.Literal("update"), Type.Literal("delete")]),
  row: Type.String({ pattern: "^-?[0-9]{1,3}$" }),
  isDefault: text,
  index: text,
  binding: text,
  url: text,
});
export const CredentialsForm = Type.Object({
  ...Csrf,
  signingKeyPairId: text,
  algorithm: text,
  includeCertInSignature: text,
  includeRawKeyInSignature: text,
});
export const EditQuery = Type.Object({ edit: Type.Optional(Type.String({ pattern: "^-?[0-9]{1,3}$" })) });

const all = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** What the service refused, as form errors; anything not for the user is the server's problem. */
export const refusal = (error: unknown): FormErrors => {
  if (!isAppError(error) || !error.expose) throw error;
  return error.details.length > 0 ? error.details : [{ message: error.message }];
};

/** The LDAP data stores an attribute source may search. */
const dataStoreChoices = async (context: ServiceContext): Promise<DataStoreChoice[]> =>
  (await listDataStores(context)).map((s) => ({ id: s.id ?? "", label: s.name ?? s.id ?? "" }));

const ssoPage = async (
  context: ServiceContext,
  viewer: Viewer,
  target: Target,
  document: SpConnection,
  o: {
    editRow?: number | undefined;
    errors?: FormErrors;
    acsErrors?: FormErrors;
    sourceErrors?: FormErrors;
    sourceValues?: SourceValues;
    notice?: string | undefined;
  },
) =>
  target.page({
    tab: "browser-sso",
    notice: o.notice,
    errors: [...(o.errors ?? []), ...(o.sourceErrors ?? [])],
    labels: browserSsoLabels,
    body: browserSsoBody({
      viewer,
      document,
      action: target.path("browser-sso"),
      acsAction: `${target.path("browser-sso")}/acs`,
      editHref: (row) =>
        row < 0 ? target.path("browser-sso") : `${target.path("browser-sso")}?edit=${row}#acs-h`,
      editRow: o.editRow,
      errors: o.errors ?? [],
      acsErrors: o.acsErrors ?? [],
      submitLabel: target.submitLabel,
      dataStores: await dataStoreChoices(context),
      sourcesAction: `${target.path("browser-sso")}/sources`,
      sourceValues: o.sourceValues ?? {},
      sourceErrors: o.sourceErrors ?? [],
    }),
  });

export const showBrowserSso = async (
  context: ServiceContext,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  edit: string | undefined,
  notice?: string | undefined,
) => {
  const row = edit === undefined ? undefined : Number(edit);
  return sendPage(
    reply,
    await ssoPage(context, viewer, target, target.document, {
      editRow: row !== undefined && row >= 0 ? row : undefined,
      notice,
    }),
  );
};

export const postBrowserSso = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  body: typeof BrowserSsoForm.static,
) => {
  const names = all(body.attrName);
  const formats = all(body.attrFormat);
  const sources = all(body.attrSource);
  const values = all(body.attrValue);
  const { document, errors } = applyBrowserSso(target.document, {
    profiles: all(body.profile),
    minutesBefore: body.minutesBefore ?? "",
    minutesAfter: body.minutesAfter ?? "",
    identityMapping: body.identityMapping ?? "STANDARD",
    attributes: names.map((name, i) => ({
      name,
      nameFormat: formats[i] ?? "",
      source: sources[i] ?? "NO_MAPPING",
      value: values[i] ?? "",
    })),
    bindings: all(body.binding),
    requireSignedAuthnRequests: body.requireSignedAuthnRequests !== undefined,
    signAssertions: body.signAssertions !== undefined,
    signResponseAsRequired: body.signResponseAsRequired !== undefined,
    encryptAssertion: body.encryptAssertion !== undefined,
    slo: all(body.sloUrl).map((url, i) => ({
      binding: all(body.sloBinding)[i] ?? "",
      url,
      responseUrl: all(body.sloResponseUrl)[i] ?? "",
    })),
  });
  const refused = errors.length > 0 ? errors : await target.commit(document, "browser-sso");
  if (refused.length > 0)
    return sendPage(reply, await ssoPage(context, viewer, target, document, { errors: refused }), 422);
  const next = target.after("browser-sso");
  return redirectWithNotice(request, reply, next.location, next.notice);
};

export const postAcs = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  body: typeof AcsForm.static,
) => {
  const row = Number(body.row);
  const value = {
    isDefault: body.isDefault !== undefined,
    index: body.index ?? "",
    binding: body.binding ?? "POST",
    url: body.url ?? "",
  };
  const { document, errors } = editAcs(
    target.document,
    body.op === "delete" ? { kind: "delete", row } : { kind: body.op, row, value },
  );
  const refused = errors.length > 0 ? errors : await target.commit(document, "acs");
  if (refused.length > 0) {
    const shown = errors.length > 0 ? target.document : document;
    const editRow = body.op === "update" ? row : undefined;
    return sendPage(
      reply,
      await ssoPage(context, viewer, target, shown, { editRow, acsErrors: refused }),
      422,
    );
  }
  const verb = body.op === "add" ? "Added" : body.op === "update" ? "Updated" : "Deleted";
  return redirectWithNotice(request, reply, `${target.path("browser-sso")}#acs-h`, `${verb} the ACS URL.`);
};

/** Assertion Creation's LDAP attribute sources: add one, or delete one no attribute uses. */
export const postSources = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  body: typeof SourcesForm.static,
) => {
  const id = (body.sourceId ?? "").trim();
  const { document, errors } =
    body.op === "delete"
      ? deleteLdapSource(target.document, id)
      : addLdapSource(
          target.document,
          {
            id,
            dataStoreId: body.sourceDataStore ?? "",
            baseDn: body.sourceBaseDn ?? "",
            searchScope: body.sourceScope ?? "",
            searchFilter: body.sourceFilter ?? "",
            attributes: body.sourceAttributes ?? "",
          },
          (await dataStoreChoices(context)).map((d) => d.id),
        );
  const refused = errors.length > 0 ? errors : await target.commit(document, "acs");
  if (refused.length > 0) {
    const sourceValues = body.op === "add" ? { ...body, sourceId: id } : {};
    const page = await ssoPage(context, viewer, target, target.document, {
      sourceErrors: refused,
      sourceValues,
    });
    return sendPage(reply, page, 422);
  }
  const done =
    body.op === "add" ? `Added the attribute source "${id}"` : `Deleted the attribute source "${id}"`;
  return redirectWithNotice(request, reply, `${target.path("browser-sso")}#sources-h`, `${done}.`);
};

const keyChoices = async (context: ServiceContext): Promise<KeyChoice[]> =>
  (await listSigningKeys(context)).map((k) => ({
    id: k.id,
    keyAlgorithm: k.keyAlgorithm,
    subjectDn: k.subjectDN,
    expires: k.expires,
  }));

/** The Credentials tab; `certErrors` are the certificate upload's, shown by its file field. */
export const credentialsPage = async (
  context: ServiceContext,
  viewer: Viewer,
  target: Target,
  document: SpConnection,
  errors: FormErrors,
  notice?: string | undefined,
  certErrors: FormErrors = [],
) =>
  target.page({
    tab: "credentials",
    notice,
    errors: [...errors, ...certErrors],
    labels: credentialsLabels,
    body: credentialsBody({
      viewer,
      document,
      keys: await keyChoices(context),
      action: target.path("credentials"),
      errors,
      submitLabel: target.submitLabel,
      certsAction: `${target.path("credentials")}/certs`,
      certErrors,
      now: context.clock.now(),
    }),
  });

export const showCredentials = async (
  context: ServiceContext,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  notice?: string | undefined,
) => sendPage(reply, await credentialsPage(context, viewer, target, target.document, [], notice));

export const postCredentials = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  body: typeof CredentialsForm.static,
) => {
  const { document, errors } = applyCredentials(
    target.document,
    {
      signingKeyPairId: body.signingKeyPairId ?? "",
      algorithm: body.algorithm ?? "",
      includeCertInSignature: body.includeCertInSignature !== undefined,
      includeRawKeyInSignature: body.includeRawKeyInSignature !== undefined,
    },
    await keyChoices(context),
  );
  const refused = errors.length > 0 ? errors : await target.commit(document, "credentials");
  if (refused.length > 0)
    return sendPage(reply, await credentialsPage(context, viewer, target, document, refused), 422);
  const next = target.after("credentials");
  return redirectWithNotice(request, reply, next.location, next.notice);
};

/** The IdP's signing certificate, to upload to Salesforce as the Identity Provider Certificate. */
export const sendIdpCertificate = async (
  context: ServiceContext,
  reply: FastifyReply,
  document: SpConnection,
) => {
  const keyId = document.credentials?.signingSettings?.signingKeyPairRef.id;
  if (keyId === undefined)
    return reply.status(404).type("text/plain; charset=utf-8").send("No signing certificate is chosen.");
  return reply
    .type("application/x-pem-file")
    .header("Content-Disposition", `attachment; filename="${keyId.replace(/[^A-Za-z0-9._-]/g, "_")}.crt"`)
    .send(await getSigningCertificatePem(context, keyId));
};
