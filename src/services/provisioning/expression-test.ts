import { compileOrThrow, evaluateExpression } from "../../expressions/expression.ts";
import { problemError } from "../../expressions/limits.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * `POST /provisioning/expressions/test`: one expression evaluated for one directory user, with
 * the attributes it read. The user's attributes are those a channel and SSO see: the directory
 * entry, `uid`, and `memberOf` (the user's groups). Nothing is written.
 */
export const testExpression = async (
  context: ServiceContext,
  input: { readonly expression: string; readonly subject: string },
) => {
  const compiled = compileOrThrow(input.expression, "expression");
  const user = await context.store.directory.getUser(input.subject);
  if (!user)
    throw new AppError("DIR_USER_NOT_FOUND", { message: `No user "${input.subject}" in the directory.` });
  const attributes = {
    ...user.attributes,
    uid: [user.uid],
    memberOf: await context.store.directory.groupsOf(user.uid),
  };
  const lower = new Map(Object.entries(attributes).map(([name, values]) => [name.toLowerCase(), values]));
  const result = evaluateExpression(compiled, attributes);
  if (!result.ok) throw problemError(result.problem, "expression");
  return {
    expression: input.expression,
    subject: user.uid,
    sources: compiled.attributes.map((attribute) => ({
      attribute,
      values: lower.get(attribute.toLowerCase()) ?? [],
    })),
    values: result.values,
    steps: result.steps,
  };
};
