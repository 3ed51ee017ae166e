import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from "fastify";

/**
 * What the JSON serializer accepts for a schema's type: the same shape with arrays that may be
 * readonly and optional properties that may hold `undefined` (which it leaves out). The
 * services' results are built that way; TypeBox's `Static` has no readonly arrays.
 */
export type Sendable<T> = T extends readonly (infer E)[]
  ? readonly Sendable<E>[]
  : T extends Record<string, unknown>
    ? { [K in keyof T]: undefined extends T[K] ? Sendable<T[K]> | undefined : Sendable<T[K]> }
    : T;

/** The package's type for schema `S` (how Fastify itself asks a provider). */
type TypeBoxValidated<S> = (TypeBoxTypeProvider & { schema: S })["validator"];
type TypeBoxSerialized<S> = (TypeBoxTypeProvider & { schema: S })["serializer"];

/**
 * @fastify/type-provider-typebox's types: `request.body`, `params` and `query` are the `Static`
 * of the route's schemas, exactly as the package gives them; what a handler returns is checked
 * against its response schemas, with the latitude of {@link Sendable}.
 */
export interface AdminTypeProvider extends FastifyTypeProvider {
  validator: TypeBoxValidated<this["schema"]>;
  serializer: Sendable<TypeBoxSerialized<this["schema"]>>;
}

/** An admin-API route plugin whose handlers take their types from their schemas. */
export type AdminRoutes = FastifyPluginAsync<Record<never, never>, RawServerDefault, AdminTypeProvider>;
