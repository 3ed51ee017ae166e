import { Type } from "@sinclair/typebox";
import { LdapDataStore } from "../../domain/data-store.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  createDataStore,
  dataStoreLocation,
  deleteDataStore,
  getDataStore,
  listDataStores,
  updateDataStore,
} from "../../services/data-stores/data-stores.ts";
import { testDataStore } from "../../services/data-stores/test-data-store.ts";
import { principalOf } from "./principal.ts";
import { IdParams, Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/** `/dataStores`: LDAP data stores in PingFederate's shape, and the connection test. */

const TestBody = Type.Union([
  Type.Object(
    {
      baseDn: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 2048,
          description: "search this entry; absent, the root DSE",
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const TestResult = Type.Object({
  success: Type.Literal(true),
  dataStoreId: Type.String(),
  hostname: Type.String({ description: "the host that answered" }),
  stages: Type.Array(Type.Union(["DNS", "TCP", "TLS", "BIND", "SEARCH"].map((s) => Type.Literal(s)))),
  skipped: Type.Array(Type.Object({ hostname: Type.String(), code: Type.String(), message: Type.String() }), {
    description: "hosts tried first and passed over (failover), with why",
  }),
  namingContexts: Type.Array(Type.String()),
  vendorName: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

export const dataStoreRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Data stores"];
    api.get(
      "/dataStores",
      {
        schema: {
          tags,
          summary: "List LDAP data stores",
          response: { 200: Items(LdapDataStore), ...problems },
        },
      },
      async () => ({ items: await listDataStores(context) }),
    );

    api.post(
      "/dataStores",
      {
        schema: {
          tags,
          summary: "Create an LDAP data store (the password is sealed and never shown again)",
          body: LdapDataStore,
          response: { 201: LdapDataStore, ...problems },
        },
      },
      async (request, reply) => {
        const created = await createDataStore(context, principalOf(request), request.body);
        reply.status(201).header("Location", dataStoreLocation(created.id ?? ""));
        return created;
      },
    );

    api.get(
      "/dataStores/:id",
      {
        schema: {
          tags,
          summary: "One LDAP data store",
          params: IdParams,
          response: { 200: LdapDataStore, ...problems },
        },
      },
      async (request) => getDataStore(context, request.params.id),
    );

    api.put(
      "/dataStores/:id",
      {
        schema: {
          tags,
          summary: "Replace an LDAP data store (echo encryptedPassword, or omit the password, to keep it)",
          params: IdParams,
          body: LdapDataStore,
          response: { 200: LdapDataStore, ...problems },
        },
      },
      async (request) => updateDataStore(context, principalOf(request), request.params.id, request.body),
    );

    api.delete(
      "/dataStores/:id",
      {
        schema: {
          tags,
          summary: "Delete a data store that nothing uses",
          params: IdParams,
          response: { 204: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        await deleteDataStore(context, principalOf(request), request.params.id);
        reply.status(204).send(null);
      },
    );

    api.post(
      "/dataStores/:id/test",
      {
        schema: {
          tags,
          summary:
            "Connect, secure, bind and search now; a failure's code names the stage (LDAP_DNS, LDAP_TCP, LDAP_TLS, LDAP_BIND, LDAP_SEARCH)",
          params: IdParams,
          body: TestBody,
          response: { 200: TestResult, ...problems, 503: problems[422] },
        },
      },
      async (request) =>
        testDataStore(context, principalOf(request), request.params.id, request.body?.baseDn),
    );
  };
