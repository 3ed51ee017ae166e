import type { FastifyInstance, FastifyReply } from "fastify";
import { notThisOrg, param, type SpContext } from "./http.ts";
import { buildSpMetadata } from "./metadata.ts";
import { parseSsoSettings } from "./settings.ts";
import { communityAcs, METADATA_PATH_PREFIX, orgAcs, sloUrl } from "./urls.ts";

/** The control API under /_emulator/sso and the metadata download. */
export function registerControlRoutes(app: FastifyInstance, ctx: SpContext): void {
  const { store } = ctx;

  async function describe() {
    const view = ctx.view();
    const keys = await ctx.keys();
    const settings = store.settings;
    return {
      configured: settings !== undefined,
      configId: store.configId,
      settings: settings ?? null,
      entityId: settings?.entityId ?? view.instanceUrl,
      spCertificate: keys.certificatePem,
      loginUrl: orgAcs(view).url,
      communityLoginUrls: view.communities.map((c) => ({ ...c, url: communityAcs(view, c).url })),
      logoutUrl: sloUrl(view),
      spInitiatedLoginUrl: `${view.instanceUrl}/saml/login?so=${view.orgId}`,
      metadataUrl: `${view.instanceUrl}/_emulator/sso/metadata`,
      metadataDownloadUrl: `${view.instanceUrl}${METADATA_PATH_PREFIX}/SAMLSP-${store.configId}.xml`,
    };
  }

  async function metadata(reply: FastifyReply) {
    const view = ctx.view();
    const keys = await ctx.keys();
    const xml = buildSpMetadata({
      view,
      entityId: store.settings?.entityId ?? view.instanceUrl,
      spCertificatePem: keys.certificatePem,
      encryption: store.settings?.assertionDecryptionCertificate ?? false,
    });
    return reply
      .type("application/samlmetadata+xml; charset=utf-8")
      .header("content-disposition", `attachment; filename="SAMLSP-${store.configId}.xml"`)
      .send(xml);
  }

  // ---- control API -------------------------------------------------------------------------
  app.get("/_emulator/sso", async () => describe());
  app.put("/_emulator/sso", async (request, reply) => {
    const parsed = parseSsoSettings(request.body, ctx.view().instanceUrl);
    if (!parsed.ok) {
      return reply.code(400).send({
        errorCode: "INVALID_SSO_SETTINGS",
        message: parsed.problems.map((p) => `${p.field}: ${p.message}`).join("; "),
        problems: parsed.problems,
      });
    }
    store.settings = parsed.settings;
    return describe();
  });
  app.delete("/_emulator/sso", async (_request, reply) => {
    store.settings = undefined;
    return reply.code(204).send();
  });
  app.get("/_emulator/sso/metadata", async (_request, reply) => metadata(reply));
  app.get(`${METADATA_PATH_PREFIX}/:file`, async (request, reply) => {
    if (param(request.params, "file") !== `SAMLSP-${store.configId}.xml`) return notThisOrg(reply);
    return metadata(reply);
  });
  app.get("/_emulator/sso/validations", async () => store.validations());
  app.get("/_emulator/sso/validations/last", async (_request, reply) => {
    const last = store.validations()[0];
    if (!last) return reply.code(404).send({ errorCode: "NOT_FOUND", message: "no SAML login attempt yet" });
    return last;
  });
  app.get("/_emulator/sso/sessions", async () => store.sessions());
  app.get("/_emulator/sso/requests", async () => store.issuedRequests());
  app.get("/_emulator/sso/logouts", async () => store.logoutEvents());
}
