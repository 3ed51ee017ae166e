import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type AttributeMapping,
  type Channel,
  characterCases,
  fieldParsers,
  type SaasFieldInfo,
} from "../../domain/channel.ts";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { channelDraftProblems } from "../../services/provisioning/channel-draft.ts";
import { testExpression } from "../../services/provisioning/expression-test.ts";
import { type ConsoleRoutes, redirectWithNotice, sendPage, takeNotice, viewerOf } from "../request.ts";
import { type CheckOutcome, channelBase, type Problem } from "../views/outbound-common.ts";
import { type ExpressionResult, type FieldForm, fieldEditorPage } from "../views/outbound-field.ts";
import { fieldReportOf } from "./outbound-mapping.ts";
import { loadChannel, outboundConnectionOf, replaceChannel } from "./outbound-shared.ts";

/**
 * The mapping editor of one field: save, remove, and test the expression with the service behind
 * `POST /provisioning/expressions/test`. A mapping is checked as the running channel would read
 * it before it is saved.
 */

const FieldParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    field: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

const Text = Type.Optional(Type.String({ maxLength: 4096 }));
const FieldBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    attributes: Text,
    defaultValue: Text,
    expression: Text,
    createOnly: Text,
    trim: Text,
    masked: Text,
    characterCase: Text,
    parser: Text,
    subject: Text,
  },
  { additionalProperties: false },
);
type Body = { readonly [K in keyof typeof FieldBody.properties]?: string | undefined };

type Params = { id: string; name: string; field: string };

const sameField = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const formOf = (mapping: AttributeMapping | undefined): FieldForm => {
  const info = mapping?.saasFieldInfo;
  return {
    attributes: (info?.attributeNames ?? []).join("\n"),
    defaultValue: info?.defaultValue ?? "",
    expression: info?.expression ?? "",
    createOnly: info?.createOnly === true,
    trim: info?.trim === true,
    masked: info?.masked === true,
    characterCase: info?.characterCase ?? "NONE",
    parser: info?.parser ?? "NONE",
    subject: "",
  };
};

const formFromBody = (body: Body): FieldForm => ({
  attributes: body.attributes ?? "",
  defaultValue: body.defaultValue ?? "",
  expression: body.expression ?? "",
  createOnly: body.createOnly === "true",
  trim: body.trim === "true",
  masked: body.masked === "true",
  characterCase: body.characterCase ?? "NONE",
  parser: body.parser ?? "NONE",
  subject: body.subject ?? "",
});

const infoFromForm = (form: FieldForm): SaasFieldInfo => {
  const attributeNames = form.attributes
    .split(/[\r\n,]+/)
    .map((a) => a.trim())
    .filter(Boolean);
  const characterCase = characterCases.find((c) => c === form.characterCase && c !== "NONE");
  const parser = fieldParsers.find((p) => p === form.parser && p !== "NONE");
  return {
    ...(attributeNames.length > 0 ? { attributeNames } : {}),
    ...(form.defaultValue !== "" ? { defaultValue: form.defaultValue } : {}),
    ...(form.expression.trim() !== "" ? { expression: form.expression.trim() } : {}),
    ...(form.createOnly ? { createOnly: true } : {}),
    ...(form.trim ? { trim: true } : {}),
    ...(form.masked ? { masked: true } : {}),
    ...(characterCase ? { characterCase } : {}),
    ...(parser ? { parser } : {}),
  };
};

const showEditor = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  params: Params,
  o: { form?: FieldForm; errors?: readonly Problem[]; test?: CheckOutcome<ExpressionResult> } = {},
  status = 200,
) => {
  const { id, name, field } = params;
  const { connection, channel } = await loadChannel(context, id, name);
  const { report } = await fieldReportOf(context, id);
  const contact = /^Contact\./i.test(field) ? field.slice("Contact.".length) : undefined;
  const spec =
    contact === undefined
      ? report?.fields.User.find((f) => sameField(f.name, field))
      : report?.fields.Contact?.find((f) => sameField(f.name, contact));
  const mapping = channel.attributeMapping.find((m) => sameField(m.fieldName, field));
  const page = fieldEditorPage({
    viewer: viewerOf(request),
    connection: outboundConnectionOf(connection),
    channel: channel.name,
    fieldName: mapping?.fieldName ?? field,
    spec,
    isMapped: mapping !== undefined,
    form: o.form ?? formOf(mapping),
    errors: o.errors,
    test: o.test,
    notice: takeNotice(request, reply),
  });
  return sendPage(reply, page, status);
};

export const outboundFieldRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const path = "/connections/:id/provisioning/channels/:name/mapping/:field";

    app.get(path, { schema: { params: FieldParams } }, async (request, reply) =>
      showEditor(context, request, reply, request.params),
    );

    app.post(path, { schema: { params: FieldParams, body: FieldBody } }, async (request, reply) => {
      const { id, name, field } = request.params;
      const loaded = await loadChannel(context, id, name);
      const { channel } = loaded;
      const form = formFromBody(request.body);
      const info = infoFromForm(form);
      const refuse = (errors: readonly Problem[]) =>
        showEditor(context, request, reply, request.params, { form, errors }, 422);
      if (!info.attributeNames && info.defaultValue === undefined && !info.expression)
        return refuse([
          {
            field: "attributeNames",
            message: "give source attributes, a default value or an expression (or remove the mapping)",
          },
        ]);
      const existing = channel.attributeMapping.find((m) => sameField(m.fieldName, field));
      const mapping: AttributeMapping = { fieldName: existing?.fieldName ?? field, saasFieldInfo: info };
      const edited: Channel = {
        ...channel,
        attributeMapping: existing
          ? channel.attributeMapping.map((m) => (m === existing ? mapping : m))
          : [...channel.attributeMapping, mapping],
      };
      const problems = await channelDraftProblems(context, edited, "channel");
      if (problems.length > 0) return refuse(problems);
      const refused = await replaceChannel(context, request, loaded, edited);
      if (refused.length > 0) return refuse(refused);
      return redirectWithNotice(
        request,
        reply,
        `${channelBase(id, name)}/mapping`,
        `Mapping of ${mapping.fieldName} saved.`,
      );
    });

    app.post(`${path}/test`, { schema: { params: FieldParams, body: FieldBody } }, async (request, reply) => {
      await loadChannel(context, request.params.id, request.params.name);
      const form = formFromBody(request.body);
      const missing: Problem[] = [
        ...(form.expression.trim() === ""
          ? [{ field: "expression", message: "type an expression to test" }]
          : []),
        ...(form.subject.trim() === ""
          ? [{ field: "subject", message: "name a directory user to test it on" }]
          : []),
      ];
      if (missing.length > 0)
        return showEditor(context, request, reply, request.params, { form, errors: missing }, 422);
      const test = await testExpression(context, {
        expression: form.expression.trim(),
        subject: form.subject.trim(),
      }).then(
        (result): CheckOutcome<ExpressionResult> => ({ ok: true, result }),
        (error: unknown): CheckOutcome<ExpressionResult> => {
          if (!isAppError(error) || error.status >= 500) throw error;
          return { ok: false, code: error.code, message: error.message };
        },
      );
      return showEditor(context, request, reply, request.params, { form, test });
    });

    app.post(`${path}/remove`, { schema: { params: FieldParams } }, async (request, reply) => {
      const { id, name, field } = request.params;
      const loaded = await loadChannel(context, id, name);
      const { channel } = loaded;
      const edited = {
        ...channel,
        attributeMapping: channel.attributeMapping.filter((m) => !sameField(m.fieldName, field)),
      };
      const refused = await replaceChannel(context, request, loaded, edited);
      if (refused.length > 0)
        return showEditor(context, request, reply, request.params, { errors: refused }, 422);
      return redirectWithNotice(
        request,
        reply,
        `${channelBase(id, name)}/mapping`,
        `Mapping of ${field} removed.`,
      );
    });
  };
