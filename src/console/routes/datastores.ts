import { type Static, Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type LdapDataStore, ldapTypes } from "../../domain/data-store.ts";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  createDataStore,
  deleteDataStore,
  getDataStore,
  listDataStores,
  updateDataStore,
} from "../../services/data-stores/data-stores.ts";
import { testDataStore } from "../../services/data-stores/test-data-store.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import {
  type DataStoreForm,
  dataStorePage,
  dataStoresPage,
  emptyDataStoreForm,
  type TestOutcome,
} from "../views/datastores.ts";
import { formErrorsOf } from "../views/format.ts";

const csrf = Type.String({ maxLength: 200 });
const StoreBody = Type.Object({
  _csrf: csrf,
  name: Type.String({ maxLength: 256 }),
  ldapType: Type.Union(ldapTypes.map((t) => Type.Literal(t))),
  hostnames: Type.String({ maxLength: 4096 }),
  security: Type.Union([Type.Literal("NONE"), Type.Literal("LDAPS"), Type.Literal("STARTTLS")]),
  verifyHost: Type.Optional(Type.Literal("on")),
  trustedCAs: Type.String({ maxLength: 262_144 }),
  bindAnonymously: Type.Optional(Type.Literal("on")),
  userDN: Type.String({ maxLength: 2048 }),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
});
const TestBody = Type.Object({ _csrf: csrf, baseDn: Type.String({ maxLength: 2048 }) });
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const formOf = (store: LdapDataStore): DataStoreForm => ({
  name: store.name ?? "",
  ldapType: store.ldapType,
  hostnames: (store.hostnames ?? []).join(" "),
  security: store.useSsl ? "LDAPS" : store.useStartTLS ? "STARTTLS" : "NONE",
  verifyHost: store.verifyHost !== false,
  trustedCAs: (store.trustedCAs ?? []).join("\n"),
  bindAnonymously: store.bindAnonymously === true,
  userDN: store.userDN ?? "",
  errors: {},
});

const typed = (body: Static<typeof StoreBody>): DataStoreForm => ({
  name: body.name.trim(),
  ldapType: body.ldapType,
  hostnames: body.hostnames.trim(),
  security: body.security,
  verifyHost: body.verifyHost === "on",
  trustedCAs: body.trustedCAs.trim(),
  bindAnonymously: body.bindAnonymously === "on",
  userDN: body.userDN.trim(),
  errors: {},
});

/** The PEM blocks pasted; text that holds none is passed on whole, for the service to refuse. */
const certificates = (text: string): string[] => {
  if (text === "") return [];
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks ?? [text];
};

/**
 * The document to store: the fields the form edits over what is stored (pool settings and the
 * like, set through the API, stay). The stored password is never echoed: without a new one, the
 * service keeps it when the bind DN is unchanged.
 */
const documentOf = (
  form: DataStoreForm,
  password: string | undefined,
  stored?: LdapDataStore,
): LdapDataStore => {
  const {
    encryptedPassword: _sealed,
    hostnames: _hosts,
    trustedCAs: _cas,
    userDN: _dn,
    id: _id,
    ...kept
  } = stored ?? { type: "LDAP" as const, ldapType: form.ldapType };
  const hostnames = form.hostnames.split(/[\s,]+/).filter(Boolean);
  const trusted = certificates(form.trustedCAs);
  return {
    ...kept,
    type: "LDAP",
    name: form.name,
    ldapType: form.ldapType,
    useSsl: form.security === "LDAPS",
    useStartTLS: form.security === "STARTTLS",
    verifyHost: form.verifyHost,
    bindAnonymously: form.bindAnonymously,
    ...(hostnames.length > 0 ? { hostnames } : {}),
    ...(trusted.length > 0 ? { trustedCAs: trusted } : {}),
    ...(form.userDN ? { userDN: form.userDN } : {}),
    ...(password ? { password } : {}),
  };
};

/** "hostnames[1]" is the Host names field; useSsl/useStartTLS are the Security choice. */
const errorsByField = (error: unknown) =>
  Object.fromEntries(
    Object.entries(formErrorsOf(error, { DATASTORE_ID_TAKEN: "name" })).map(([field, message]) => {
      const base = field.replace(/\[\d+\]$/, "");
      return [base === "useSsl" || base === "useStartTLS" ? "security" : base, message];
    }),
  );

/** LDAP data stores: the list, create/edit with the directory presets, Test, delete. */
export const dataStoreRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const show = (
      request: FastifyRequest,
      reply: FastifyReply,
      o: { id?: string; hasPassword: boolean; form: DataStoreForm; test?: TestOutcome },
      status = 200,
    ) =>
      sendPage(
        reply,
        dataStorePage({ viewer: viewerOf(request), notice: takeNotice(request, reply), ...o }),
        status,
      );

    app.get("/datastores", async (request, reply) =>
      sendPage(
        reply,
        dataStoresPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          rows: (await listDataStores(context)).map((s) => ({
            id: s.id ?? "",
            name: s.name ?? "",
            ldapType: s.ldapType,
            hostnames: (s.hostnames ?? []).join(" "),
            userDN: s.userDN ?? "",
          })),
        }),
      ),
    );

    app.get("/datastores/new", async (request, reply) =>
      show(request, reply, { hasPassword: false, form: emptyDataStoreForm }),
    );

    app.post("/datastores", { schema: { body: StoreBody } }, async (request, reply) => {
      const form = typed(request.body);
      try {
        const created = await createDataStore(
          context,
          actorOf(request),
          documentOf(form, request.body.password),
        );
        return redirectWithNotice(
          request,
          reply,
          `/console/datastores/${encodeURIComponent(created.id ?? "")}`,
          `Data store "${created.name}" created. Test it below.`,
        );
      } catch (error) {
        return show(
          request,
          reply,
          { hasPassword: false, form: { ...form, errors: errorsByField(error) } },
          422,
        );
      }
    });

    app.get("/datastores/:id", { schema: { params: Id } }, async (request, reply) => {
      const store = await getDataStore(context, request.params.id);
      return show(request, reply, {
        id: request.params.id,
        hasPassword: store.encryptedPassword !== undefined,
        form: formOf(store),
      });
    });

    app.post("/datastores/:id", { schema: { params: Id, body: StoreBody } }, async (request, reply) => {
      const { id } = request.params;
      const stored = await getDataStore(context, id);
      const form = typed(request.body);
      try {
        await updateDataStore(context, actorOf(request), id, documentOf(form, request.body.password, stored));
      } catch (error) {
        const hasPassword = stored.encryptedPassword !== undefined;
        return show(
          request,
          reply,
          { id, hasPassword, form: { ...form, errors: errorsByField(error) } },
          422,
        );
      }
      return redirectWithNotice(
        request,
        reply,
        `/console/datastores/${encodeURIComponent(id)}`,
        `Data store "${form.name}" saved.`,
      );
    });

    app.post("/datastores/:id/test", { schema: { params: Id, body: TestBody } }, async (request, reply) => {
      const { id } = request.params;
      const stored = await getDataStore(context, id);
      const baseDn = request.body.baseDn.trim();
      let test: TestOutcome;
      try {
        const result = await testDataStore(context, actorOf(request), id, baseDn || undefined);
        test = {
          ok: true,
          hostname: result.hostname,
          stages: result.stages,
          namingContexts: result.namingContexts,
          vendorName: result.vendorName,
        };
      } catch (error) {
        if (!isAppError(error) || !error.code.startsWith("LDAP_")) throw error;
        test = {
          ok: false,
          stage: error.code.slice("LDAP_".length),
          code: error.code,
          message: error.message,
        };
      }
      return show(request, reply, {
        id,
        hasPassword: stored.encryptedPassword !== undefined,
        form: formOf(stored),
        test,
      });
    });

    app.post("/datastores/:id/delete", { schema: { params: Id } }, async (request, reply) => {
      const stored = await getDataStore(context, request.params.id);
      await deleteDataStore(context, actorOf(request), request.params.id);
      return redirectWithNotice(
        request,
        reply,
        "/console/datastores",
        `Data store "${stored.name}" deleted.`,
      );
    });
  };
