import { type TSchema, Type } from "@sinclair/typebox";

/** Shared pieces of the admin API's route schemas (TypeBox → JSON Schema → OpenAPI). */
export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: "stable error code, see docs/errors.md" }),
    detail: Type.String(),
    correlationId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.Optional(Type.String()), message: Type.String() })),
    ),
    resultId: Type.String({
      description: "PingFederate's result id (validation_error for a refused document)",
    }),
    message: Type.String({ description: "PingFederate's message: the same text as detail" }),
    validationErrors: Type.Optional(
      Type.Array(
        Type.Object({
          errorId: Type.String(),
          fieldPath: Type.Optional(Type.String()),
          message: Type.String(),
        }),
        { description: "PingFederate's field errors: the same findings as errors" },
      ),
    ),
  },
  { description: "application/problem+json" },
);

/** Standard error responses documented on every route. */
export const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  413: ProblemSchema,
  422: ProblemSchema,
};

export const xsrfHeader = Type.Object({
  "x-xsrf-header": Type.Optional(
    Type.String({ description: "required on state-changing calls (any value)" }),
  ),
});
