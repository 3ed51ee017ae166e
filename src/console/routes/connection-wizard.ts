import { Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { AppError, isAppError } from "../../lib/errors.ts";
import { ssoApplicationEndpoint } from "../../services/connections.ts";
import {
  type ConnectionDraft,
  draftDocument,
  draftJitProfile,
  getDraft,
  keepDraft,
  saveDraft,
  setDraftJit,
  startDraft,
} from "../../services/console/connection-drafts.ts";
import {
  applyGeneralInfo,
  type GeneralInfo,
  generalInfoErrors,
  generalInfoOf,
  loggingModes,
} from "../../services/console/general-info.ts";
import type { ServiceContext } from "../../services/context.ts";
import { type TemplateId, templateIds } from "../../services/salesforce-template.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  refuseAuditors,
  sendPage,
  sessionIdOf,
  takeNotice,
  viewerOf,
} from "../request.ts";
import type { FormErrors } from "../views/connection-actions.ts";
import { activationTab, newProvisioningTab } from "../views/connection-activation.ts";
import { newGeneralTab } from "../views/connection-general.ts";
import { savedPath } from "../views/connection-tabs.ts";
import {
  canOpen,
  draftPath,
  nextTab,
  optionsTab,
  templateSummaryTab,
  templateTab,
  typeTab,
  wizardTabs,
} from "../views/connection-wizard.ts";
import { EditQuery, showBrowserSso, showCredentials } from "./connection-sso-handlers.ts";
import { draftTarget } from "./connection-wizard-sso.ts";

const Csrf = { _csrf: Type.String() };
const DraftParams = Type.Object({ draft: Type.String({ minLength: 1, maxLength: 64 }) });
const TabParams = Type.Object({
  draft: Type.String({ minLength: 1, maxLength: 64 }),
  tab: Type.String({ maxLength: 32 }),
});
const text = Type.Optional(Type.String({ maxLength: 4096 }));

const TemplateForm = Type.Object({
  ...Csrf,
  usesTemplate: Type.Optional(Type.String({ maxLength: 8 })),
  templateId: Type.Optional(Type.String({ maxLength: 64 })),
  metadata: Type.Optional(Type.Unsafe<unknown>({})),
});
const TypeForm = Type.Object({ ...Csrf, browserSso: text, outboundProvisioning: text });
const OptionsForm = Type.Object({ ...Csrf, jit: text, profile: text });
export const GeneralForm = Type.Object({
  ...Csrf,
  entityId: text,
  name: text,
  virtualEntityIds: Type.Optional(Type.String({ maxLength: 65536 })),
  defaultVirtualEntityId: text,
  baseUrl: text,
  company: text,
  firstName: text,
  lastName: text,
  phone: text,
  email: text,
  applicationName: text,
  applicationIconUrl: text,
  loggingMode: text,
});
const ActivationForm = Type.Object({ ...Csrf, active: text });

/** The General Info form's values, trimmed; virtual server IDs one per line. */
export const generalInfoFrom = (body: { [K in keyof GeneralInfo]?: string | undefined }): GeneralInfo => {
  const t = (v: string | undefined) => (v ?? "").trim();
  const mode = loggingModes.find((m) => m === body.loggingMode) ?? "STANDARD";
  const virtualEntityIds = t(body.virtualEntityIds)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = t(body.defaultVirtualEntityId);
  return {
    entityId: t(body.entityId),
    name: t(body.name),
    virtualEntityIds,
    // One virtual server ID is the default whether or not it is named, as one ACS is.
    defaultVirtualEntityId:
      chosen === "" && virtualEntityIds.length === 1 ? (virtualEntityIds[0] ?? "") : chosen,
    baseUrl: t(body.baseUrl),
    company: t(body.company),
    firstName: t(body.firstName),
    lastName: t(body.lastName),
    phone: t(body.phone),
    email: t(body.email),
    applicationName: t(body.applicationName),
    applicationIconUrl: t(body.applicationIconUrl),
    loggingMode: mode,
  };
};

/** An AppError's details as form errors; anything else is the server's problem. */
const formErrors = (error: unknown, field?: string): FormErrors => {
  if (!isAppError(error) || !error.expose) throw error;
  if (field !== undefined) return [{ field, message: `${error.message} (${error.code})` }];
  return error.details.length > 0 ? error.details : [{ message: error.message }];
};

const endpointOf = (context: ServiceContext, draft: ConnectionDraft) =>
  draft.browserSso ? ssoApplicationEndpoint(context.baseUrl, draft.connection.entityId) : undefined;

/** A tab completed: the draft stored as it now is, and on to the next tab. */
const advance = async (
  context: ServiceContext,
  reply: FastifyReply,
  draft: ConnectionDraft,
  slug: string,
) => {
  draft.completed.add(slug);
  await keepDraft(context, draft);
  return reply.redirect(draftPath(draft, nextTab(draft, slug)), 303);
};

/**
 * Create Connection, tab by tab as PingFederate's console (pingfederate-salesforce-spec.md §3):
 * Connection Template, Connection Type, Connection Options, General Info, Outbound Provisioning,
 * Activation & Summary. The draft is stored per session (connection-drafts.ts), so any node may
 * serve the next step; Save stores the connection through the admin API's create.
 */
export const connectionWizardRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    // Nothing here is for reading: an auditor has no draft to look at.
    app.addHook("preHandler", refuseAuditors);

    app.get("/connections/new", async (request, reply) =>
      sendPage(
        reply,
        templateTab({
          viewer: viewerOf(request),
          values: { usesTemplate: true, templateId: "salesforce-provisioner" },
          errors: [],
        }),
      ),
    );

    app.post("/connections/new", { schema: { body: TemplateForm } }, async (request, reply) => {
      const body = request.body;
      const usesTemplate = body.usesTemplate !== "no";
      const templateId = templateIds.find((t) => t === body.templateId);
      const values = { usesTemplate, templateId: templateId ?? "salesforce-provisioner" };
      const file = Buffer.isBuffer(body.metadata) ? body.metadata : undefined;
      let errors: FormErrors = [
        ...(templateId === undefined && usesTemplate
          ? [{ field: "templateId", message: "choose a connection template" }]
          : []),
        ...(file === undefined || file.length === 0
          ? [{ field: "metadata", message: "choose the SP's metadata file (SAMLSP-….xml for Salesforce)" }]
          : []),
      ];
      if (errors.length === 0 && file) {
        try {
          const chosen: TemplateId = templateId ?? "salesforce-provisioner";
          const draft = await startDraft(context, sessionIdOf(request), {
            usesTemplate,
            templateId: chosen,
            metadata: file,
          });
          const warned = draft.metadata.warnings.length;
          return redirectWithNotice(
            request,
            reply,
            draftPath(draft, "type"),
            `Read the metadata of ${draft.connection.entityId}${warned > 0 ? `, with ${warned} warning${warned === 1 ? "" : "s"} (see Connection Template)` : ""}.`,
          );
        } catch (error) {
          errors = formErrors(error, "metadata");
        }
      }
      return sendPage(reply, templateTab({ viewer: viewerOf(request), values, errors }), 422);
    });

    app.get(
      "/connections/new/:draft/:tab",
      { schema: { params: TabParams, querystring: EditQuery } },
      async (request, reply) => {
        const draft = await getDraft(context, sessionIdOf(request), request.params.draft);
        const tab = request.params.tab;
        const viewer = viewerOf(request);
        if (!wizardTabs(draft).some((t) => t.slug === tab))
          throw new AppError("REQ_NOT_FOUND", { message: `The wizard has no tab "${tab}".` });
        if (!canOpen(draft, tab)) {
          const first = wizardTabs(draft).find((t) => !draft.completed.has(t.slug));
          return redirectWithNotice(
            request,
            reply,
            draftPath(draft, first?.slug ?? "template"),
            `Complete ${first?.label ?? "this tab"} first.`,
          );
        }
        const notice = takeNotice(request, reply);
        if (tab === "browser-sso")
          return showBrowserSso(
            context,
            reply,
            viewer,
            draftTarget(context, draft, viewer),
            request.query.edit,
            notice,
          );
        if (tab === "credentials")
          return showCredentials(context, reply, viewer, draftTarget(context, draft, viewer), notice);
        const page =
          tab === "template"
            ? templateSummaryTab({ viewer, draft, notice })
            : tab === "type"
              ? typeTab({ viewer, draft, errors: [], notice })
              : tab === "options"
                ? optionsTab({
                    viewer,
                    draft,
                    notice,
                    values: {
                      jit: draftJitProfile(draft) !== undefined,
                      profile: draftJitProfile(draft) ?? "",
                    },
                    errors: [],
                  })
                : tab === "general"
                  ? newGeneralTab({
                      viewer,
                      draft,
                      info: generalInfoOf(draft.connection),
                      errors: [],
                      notice,
                    })
                  : tab === "provisioning"
                    ? newProvisioningTab({ viewer, draft, notice })
                    : activationTab({
                        viewer,
                        draft,
                        notice,
                        document: draftDocument(draft, true),
                        endpoint: endpointOf(context, draft),
                        active: true,
                        errors: [],
                      });
        return sendPage(reply, page);
      },
    );

    app.post(
      "/connections/new/:draft/type",
      { schema: { params: DraftParams, body: TypeForm } },
      async (request, reply) => {
        const draft = await getDraft(context, sessionIdOf(request), request.params.draft);
        const browserSso = request.body.browserSso !== undefined;
        const outboundProvisioning = request.body.outboundProvisioning !== undefined;
        if (!browserSso && !outboundProvisioning) {
          const errors = [
            { field: "roles", message: "choose Browser SSO Profiles, Outbound Provisioning, or both" },
          ];
          const values = { browserSso, outboundProvisioning };
          return sendPage(reply, typeTab({ viewer: viewerOf(request), draft, values, errors }), 422);
        }
        draft.browserSso = browserSso;
        draft.outboundProvisioning = outboundProvisioning;
        return advance(context, reply, draft, "type");
      },
    );

    app.post(
      "/connections/new/:draft/options",
      { schema: { params: DraftParams, body: OptionsForm } },
      async (request, reply) => {
        const draft = await getDraft(context, sessionIdOf(request), request.params.draft);
        const jit = request.body.jit !== undefined && draft.templateId === "salesforce-provisioner";
        const profile = (request.body.profile ?? "").trim();
        const values = { jit, profile };
        let errors: FormErrors = [];
        if (jit && profile === "")
          errors = [
            { field: "profile", message: "enter the profile Just-in-Time provisioning gives new users" },
          ];
        else if (draft.browserSso) {
          const refused = setDraftJit(draft, jit ? profile : undefined);
          if (refused !== undefined) errors = [{ field: "jit", message: refused }];
        }
        if (errors.length > 0)
          return sendPage(reply, optionsTab({ viewer: viewerOf(request), draft, values, errors }), 422);
        return advance(context, reply, draft, "options");
      },
    );

    app.post(
      "/connections/new/:draft/general",
      { schema: { params: DraftParams, body: GeneralForm } },
      async (request, reply) => {
        const draft = await getDraft(context, sessionIdOf(request), request.params.draft);
        const info = generalInfoFrom(request.body);
        const errors = await generalInfoErrors(context, info, undefined);
        if (errors.length > 0)
          return sendPage(reply, newGeneralTab({ viewer: viewerOf(request), draft, info, errors }), 422);
        applyGeneralInfo(draft.connection, info);
        return advance(context, reply, draft, "general");
      },
    );

    app.post(
      "/connections/new/:draft/provisioning",
      { schema: { params: DraftParams, body: Type.Object(Csrf) } },
      async (request, reply) =>
        advance(
          context,
          reply,
          await getDraft(context, sessionIdOf(request), request.params.draft),
          "provisioning",
        ),
    );

    app.post(
      "/connections/new/:draft/activation",
      { schema: { params: DraftParams, body: ActivationForm } },
      async (request, reply) => {
        const draft = await getDraft(context, sessionIdOf(request), request.params.draft);
        const active = request.body.active !== "off";
        if (!canOpen(draft, "activation")) return reply.redirect(draftPath(draft, "type"), 303);
        try {
          const saved = await saveDraft(context, actorOf(request), draft, active);
          // On to the new connection's own tabs, where each part can be changed from now on.
          return redirectWithNotice(
            request,
            reply,
            savedPath(saved, "general"),
            `Saved the connection "${saved.name}" (${saved.active ? "active" : "inactive"}).`,
          );
        } catch (error) {
          const errors = formErrors(error);
          const document = draftDocument(draft, active);
          const page = activationTab({
            viewer: viewerOf(request),
            draft,
            document,
            endpoint: endpointOf(context, draft),
            active,
            errors,
          });
          return sendPage(reply, page, 422);
        }
      },
    );
  };
