import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { type ConnectionDraft, getDraft, keepDraft } from "../../services/console/connection-drafts.ts";
import type { ServiceContext } from "../../services/context.ts";
import { type ConsoleRoutes, refuseAuditors, sessionIdOf, viewerOf } from "../request.ts";
import { draftPath, nextTab, wizardPage, wizardTabs } from "../views/connection-wizard.ts";
import type { Viewer } from "../views/layout.ts";
import { CertsForm, postCerts } from "./connection-cert-handlers.ts";
import {
  AcsForm,
  BrowserSsoForm,
  CredentialsForm,
  postAcs,
  postBrowserSso,
  postCredentials,
  postSources,
  SourcesForm,
  sendIdpCertificate,
  type Target,
} from "./connection-sso-handlers.ts";

const DraftParams = Type.Object({ draft: Type.String({ minLength: 1, maxLength: 64 }) });

/** A draft as the Browser SSO and Credentials tabs edit it: stored in the draft, then on to the next tab. */
export const draftTarget = (context: ServiceContext, draft: ConnectionDraft, viewer: Viewer): Target => ({
  document: draft.connection,
  submitLabel: "Next",
  path: (tab) => draftPath(draft, tab),
  page: (o) => wizardPage({ viewer, draft, ...o }),
  commit: async (document, tab) => {
    draft.connection = document;
    if (tab !== "acs") draft.completed.add(tab);
    await keepDraft(context, draft);
    return [];
  },
  after: (tab) => ({
    location: draftPath(draft, nextTab(draft, tab)),
    notice: `${wizardTabs(draft).find((t) => t.slug === tab)?.label ?? "The tab"} is complete.`,
  }),
});

/** The wizard's Browser SSO and Credentials tabs (their pages are drawn by connection-wizard.ts's GET). */
export const connectionWizardSsoRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.addHook("preHandler", refuseAuditors);
    const target = async (request: FastifyRequest, id: string) =>
      draftTarget(context, await getDraft(context, sessionIdOf(request), id), viewerOf(request));

    app.post(
      "/connections/new/:draft/browser-sso",
      { schema: { params: DraftParams, body: BrowserSsoForm } },
      async (request, reply) =>
        postBrowserSso(
          context,
          request,
          reply,
          viewerOf(request),
          await target(request, request.params.draft),
          request.body,
        ),
    );
    app.post(
      "/connections/new/:draft/browser-sso/acs",
      { schema: { params: DraftParams, body: AcsForm } },
      async (request, reply) =>
        postAcs(
          context,
          request,
          reply,
          viewerOf(request),
          await target(request, request.params.draft),
          request.body,
        ),
    );
    app.post(
      "/connections/new/:draft/browser-sso/sources",
      { schema: { params: DraftParams, body: SourcesForm } },
      async (request, reply) =>
        postSources(
          context,
          request,
          reply,
          viewerOf(request),
          await target(request, request.params.draft),
          request.body,
        ),
    );
    app.post(
      "/connections/new/:draft/credentials",
      { schema: { params: DraftParams, body: CredentialsForm } },
      async (request, reply) =>
        postCredentials(
          context,
          request,
          reply,
          viewerOf(request),
          await target(request, request.params.draft),
          request.body,
        ),
    );
    app.post(
      "/connections/new/:draft/credentials/certs",
      { schema: { params: DraftParams, body: CertsForm } },
      async (request, reply) =>
        postCerts(
          context,
          request,
          reply,
          viewerOf(request),
          await target(request, request.params.draft),
          request.body,
        ),
    );
    app.get(
      "/connections/new/:draft/idp-certificate",
      { schema: { params: DraftParams } },
      async (request, reply) =>
        sendIdpCertificate(
          context,
          reply,
          (await getDraft(context, sessionIdOf(request), request.params.draft)).connection,
        ),
    );
  };
