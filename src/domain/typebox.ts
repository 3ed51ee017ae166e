import { type TLiteral, type TSchema, Type } from "@sinclair/typebox";

/**
 * The shapes of PingFederate's documents are closed (`additionalProperties: false`): an unknown
 * field, a typo among them, is an error that names it, never silently dropped.
 */
export const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** One of a fixed list of strings (PingFederate's enums). */
export const union = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as TLiteral<T[number]>[], description ? { description } : {});
