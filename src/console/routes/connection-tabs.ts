import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { IdParams } from "../../http/admin-api/schemas.ts";
import { AppError } from "../../lib/errors.ts";
import { getConnection, updateConnection } from "../../services/connections.ts";
import { applyGeneralInfo, generalInfoErrors, generalInfoOf } from "../../services/console/general-info.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import type { FormErrors } from "../views/connection-actions.ts";
import { generalLabels } from "../views/connection-general.ts";
import {
  savedActivationBody,
  savedGeneralBody,
  savedPage,
  savedPath,
  savedTabs,
} from "../views/connection-tabs.ts";
import type { Viewer } from "../views/layout.ts";
import { CertsForm, postCerts } from "./connection-cert-handlers.ts";
import {
  AcsForm,
  BrowserSsoForm,
  CredentialsForm,
  EditQuery,
  postAcs,
  postBrowserSso,
  postCredentials,
  postSources,
  refusal,
  SourcesForm,
  sendIdpCertificate,
  showBrowserSso,
  showCredentials,
  type Target,
} from "./connection-sso-handlers.ts";
import { GeneralForm, generalInfoFrom } from "./connection-wizard.ts";

/**
 * An existing connection's tabs (General Info, Browser SSO, Credentials, Outbound Provisioning,
 * Activation & Summary). Each Save stores the whole document through the admin API's update, so
 * an active connection is never stored half-done: what the update refuses is shown on the tab.
 */
export const connectionTabRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const save = async (request: FastifyRequest, id: string, document: SpConnection) => {
      try {
        await updateConnection(context, actorOf(request), id, document);
        return [];
      } catch (error) {
        return refusal(error);
      }
    };
    const target = (request: FastifyRequest, connection: SpConnection): Target => {
      const viewer: Viewer = viewerOf(request);
      return {
        document: connection,
        submitLabel: "Save",
        path: (tab) => savedPath(connection, tab),
        page: (o) => savedPage({ viewer, connection, ...o }),
        commit: (document) => save(request, connection.id ?? "", document),
        after: (tab) => ({
          location: savedPath(connection, tab),
          notice: `Saved ${savedTabs(connection).find((t) => t.slug === tab)?.label ?? "the connection"}.`,
        }),
      };
    };
    const tabOf = (connection: SpConnection, tab: string) => {
      if (!savedTabs(connection).some((t) => t.slug === tab))
        throw new AppError("REQ_NOT_FOUND", { message: `This connection has no ${tab} tab.` });
    };

    app.get("/connections/:id", { schema: { params: IdParams } }, async (request, reply) =>
      reply.redirect(`/console/connections/${encodeURIComponent(request.params.id)}/general`, 303),
    );

    app.get("/connections/:id/general", { schema: { params: IdParams } }, async (request, reply) => {
      const connection = await getConnection(context, request.params.id);
      const viewer = viewerOf(request);
      const body = savedGeneralBody({ viewer, connection, info: generalInfoOf(connection), errors: [] });
      const notice = takeNotice(request, reply);
      return sendPage(
        reply,
        savedPage({ viewer, connection, tab: "general", body, errors: [], labels: generalLabels, notice }),
      );
    });

    app.post(
      "/connections/:id/general",
      { schema: { params: IdParams, body: GeneralForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        const viewer = viewerOf(request);
        const info = generalInfoFrom(request.body);
        let errors: FormErrors = await generalInfoErrors(context, info, connection.id);
        if (errors.length === 0) {
          const document = structuredClone(connection);
          applyGeneralInfo(document, info);
          errors = await save(request, request.params.id, document);
          if (errors.length === 0)
            return redirectWithNotice(
              request,
              reply,
              savedPath(connection, "general"),
              "Saved General Info.",
            );
        }
        const body = savedGeneralBody({ viewer, connection, info, errors });
        return sendPage(
          reply,
          savedPage({ viewer, connection, tab: "general", body, errors, labels: generalLabels }),
          422,
        );
      },
    );

    app.get(
      "/connections/:id/browser-sso",
      { schema: { params: IdParams, querystring: EditQuery } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "browser-sso");
        const notice = takeNotice(request, reply);
        return showBrowserSso(
          context,
          reply,
          viewerOf(request),
          target(request, connection),
          request.query.edit,
          notice,
        );
      },
    );
    app.post(
      "/connections/:id/browser-sso",
      { schema: { params: IdParams, body: BrowserSsoForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "browser-sso");
        return postBrowserSso(
          context,
          request,
          reply,
          viewerOf(request),
          target(request, connection),
          request.body,
        );
      },
    );
    app.post(
      "/connections/:id/browser-sso/acs",
      { schema: { params: IdParams, body: AcsForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "browser-sso");
        return postAcs(context, request, reply, viewerOf(request), target(request, connection), request.body);
      },
    );
    app.post(
      "/connections/:id/browser-sso/sources",
      { schema: { params: IdParams, body: SourcesForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "browser-sso");
        return postSources(
          context,
          request,
          reply,
          viewerOf(request),
          target(request, connection),
          request.body,
        );
      },
    );

    app.get("/connections/:id/credentials", { schema: { params: IdParams } }, async (request, reply) => {
      const connection = await getConnection(context, request.params.id);
      tabOf(connection, "credentials");
      return showCredentials(
        context,
        reply,
        viewerOf(request),
        target(request, connection),
        takeNotice(request, reply),
      );
    });
    app.post(
      "/connections/:id/credentials",
      { schema: { params: IdParams, body: CredentialsForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "credentials");
        return postCredentials(
          context,
          request,
          reply,
          viewerOf(request),
          target(request, connection),
          request.body,
        );
      },
    );

    app.post(
      "/connections/:id/credentials/certs",
      { schema: { params: IdParams, body: CertsForm } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        tabOf(connection, "credentials");
        return postCerts(
          context,
          request,
          reply,
          viewerOf(request),
          target(request, connection),
          request.body,
        );
      },
    );

    // Outbound Provisioning is the provisioning pages' own (outbound-target.ts): the tab links there.

    const activationPage = (
      request: FastifyRequest,
      connection: SpConnection,
      active: boolean,
      errors: FormErrors,
      notice?: string,
    ) =>
      savedPage({
        viewer: viewerOf(request),
        connection,
        tab: "activation",
        errors,
        labels: {},
        notice,
        body: savedActivationBody({
          viewer: viewerOf(request),
          connection,
          active,
          certificateHref: connection.credentials?.signingSettings
            ? savedPath(connection, "idp-certificate")
            : undefined,
        }),
      });

    app.get("/connections/:id/activation", { schema: { params: IdParams } }, async (request, reply) => {
      const connection = await getConnection(context, request.params.id);
      return sendPage(
        reply,
        activationPage(request, connection, connection.active === true, [], takeNotice(request, reply)),
      );
    });
    app.post(
      "/connections/:id/activation",
      {
        schema: {
          params: IdParams,
          body: Type.Object({ _csrf: Type.String(), active: Type.Optional(Type.String({ maxLength: 8 })) }),
        },
      },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        const active = request.body.active !== "off";
        const errors = await save(request, request.params.id, { ...connection, active });
        if (errors.length > 0)
          return sendPage(reply, activationPage(request, connection, active, errors), 422);
        return redirectWithNotice(
          request,
          reply,
          savedPath(connection, "activation"),
          `Saved: the connection is ${active ? "active" : "inactive"}.`,
        );
      },
    );

    app.get("/connections/:id/idp-certificate", { schema: { params: IdParams } }, async (request, reply) =>
      sendIdpCertificate(context, reply, await getConnection(context, request.params.id)),
    );
  };
