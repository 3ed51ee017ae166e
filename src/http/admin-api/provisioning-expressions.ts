import { Type } from "@sinclair/typebox";
import type { ServiceContext } from "../../services/context.ts";
import { testExpression } from "../../services/provisioning/expression-test.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * `POST /provisioning/expressions/test`: an expression of Portico's language (docs/expressions.md)
 * tried on one directory user before it goes into a mapping. A POST because the expression can be
 * long; it writes nothing. A channel's whole mapping is traced by its preview with a `user`.
 */

const TestBody = Type.Object(
  {
    expression: Type.String({ minLength: 1, maxLength: 4096, description: "e.g. Left([uid], 8)" }),
    subject: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "a user of the built-in directory (uid)",
    }),
  },
  { additionalProperties: false },
);

const TestResult = Type.Object({
  expression: Type.String(),
  subject: Type.String({ description: "the user's uid" }),
  sources: Type.Array(Type.Object({ attribute: Type.String(), values: Type.Array(Type.String()) }), {
    description: "the attributes the expression reads, with the user's values",
  }),
  values: Type.Array(Type.String(), {
    description: "the result: none when missing, one value, or several for a list",
  }),
  steps: Type.Integer({ description: "evaluation steps spent (the limit is 50,000)" }),
});

export const provisioningExpressionRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    api.post(
      "/provisioning/expressions/test",
      {
        schema: {
          tags: ["Provisioning"],
          summary: "Evaluate an expression for one directory user, showing the attributes it reads",
          body: TestBody,
          response: { 200: TestResult, ...problems },
        },
      },
      async (request) => testExpression(context, request.body),
    );
  };
