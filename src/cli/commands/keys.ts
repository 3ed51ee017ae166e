import { type Command, InvalidArgumentError, Option } from "commander";
import type { CliIo } from "../io.ts";
import { formatTable } from "../table.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  day,
  isObject,
  items,
  type JsonObject,
  pathId,
  positiveInteger,
  printJson,
  readBytes,
  readText,
  text,
  usageError,
  withConnectionOptions,
  writeOutFile,
} from "./common.ts";

const keysPath = "/keyPairs/signing";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type GenerateOptions = JsonFlag & {
  id?: string | undefined;
  cn?: string | undefined;
  org?: string | undefined;
  algorithm?: "RSA" | "EC" | undefined;
  size?: number | undefined;
  validDays?: number | undefined;
  default?: boolean | undefined;
};
type ImportOptions = JsonFlag & {
  pem?: string | undefined;
  cert?: string | undefined;
  p12?: string | undefined;
  keyPassword?: string | undefined;
  id?: string | undefined;
  default?: boolean | undefined;
};

const rsaKeySize = (value: string): number => {
  if (value !== "2048" && value !== "3072") throw new InvalidArgumentError("RSA keys are 2048 or 3072 bits.");
  return Number(value);
};

const usedBy = (key: JsonObject): string => {
  const users = Array.isArray(key.usedBy) ? key.usedBy.filter(isObject) : [];
  return users.length === 0 ? "-" : users.map((u) => text(u.name, text(u.id))).join(", ");
};

const summary = (key: JsonObject): string =>
  `"${text(key.id)}" (${text(key.subjectDN)}, ${text(key.keyAlgorithm)} ${text(key.keySize)}, expires ${day(key.expires)}${key.isDefault === true ? ", the default" : ""})`;

const printKey = (io: CliIo, verb: string, key: JsonObject): void => {
  io.stdout(
    `${verb} signing key pair ${summary(key)}.\n` +
      `  SHA-256 thumbprint: ${text(key.sha256Fingerprint)}\n` +
      `  Certificate for Salesforce: portico keys export-cert ${text(key.id)} --out ${text(key.id)}.crt\n`,
  );
};

export const registerKeyCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "keys", "manage signing key pairs");

  withConnectionOptions(group.command("list").description("list signing key pairs"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get(keysPath);
      if (options.json) return printJson(io, response);
      const rows = items(response).map((k) => [
        text(k.id),
        text(k.subjectDN),
        `${text(k.keyAlgorithm)} ${text(k.keySize)}`,
        day(k.expires),
        k.isDefault === true ? "yes" : "",
        usedBy(k),
        text(k.expiryWarning, ""),
      ]);
      io.stdout(
        rows.length === 0
          ? "No signing key pairs.\n"
          : formatTable(["ID", "SUBJECT", "ALG", "EXPIRES", "DEFAULT", "USED BY", "WARNING"], rows),
      );
    });

  withConnectionOptions(
    group.command("generate").description("generate a key pair with a self-signed certificate"),
  )
    .option("--id <id>", "key pair id (default: generated)")
    .option("--cn <name>", "certificate subject common name")
    .option("--org <name>", "certificate subject organization (with --cn)")
    .addOption(new Option("--algorithm <alg>", "key algorithm (EC is P-256)").choices(["RSA", "EC"]))
    .option("--size <bits>", "RSA key size: 2048 (the default) or 3072", rsaKeySize)
    .option("--valid-days <n>", "certificate validity in days", positiveInteger)
    .option("--default", "make it the server's default signing key pair")
    .option("--json", "print the API's JSON")
    .action(async (options: GenerateOptions) => {
      if (options.algorithm === "EC" && options.size !== undefined)
        throw usageError("--size is for RSA keys; EC keys are P-256");
      if (options.org !== undefined && options.cn === undefined) throw usageError("--org needs --cn");
      const key = await clientFor(io, options).post<JsonObject>(`${keysPath}/generate`, {
        ...(options.id === undefined ? {} : { id: options.id }),
        ...(options.cn === undefined ? {} : { commonName: options.cn }),
        ...(options.org === undefined ? {} : { organization: options.org }),
        ...(options.algorithm === undefined ? {} : { keyAlgorithm: options.algorithm }),
        ...(options.size === undefined ? {} : { keySize: options.size }),
        ...(options.validDays === undefined ? {} : { validDays: options.validDays }),
        ...(options.default ? { makeDefault: true } : {}),
      });
      if (options.json) return printJson(io, key);
      printKey(io, "Generated", key);
    });

  withConnectionOptions(
    group
      .command("import")
      .description("import a key pair: --pem KEY [--cert CERT], or --p12 FILE --key-password P")
      .addHelpText(
        "after",
        "\nThe admin --password and the key's --key-password are different things; PORTICO_KEY_PASSWORD also sets the latter.",
      ),
  )
    .option("--pem <file>", "PEM private key (and certificate chain, unless --cert), or - for standard input")
    .option("--cert <file>", "PEM certificate (chain) for the --pem key")
    .option("--p12 <file>", "PKCS#12 file (.p12/.pfx)")
    .option(
      "--key-password <password>",
      "password of the PKCS#12 file or of an encrypted PEM key (env PORTICO_KEY_PASSWORD)",
    )
    .option("--id <id>", "key pair id (default: generated)")
    .option("--default", "make it the server's default signing key pair")
    .option("--json", "print the API's JSON")
    .action(async (options: ImportOptions) => {
      if ((options.pem === undefined) === (options.p12 === undefined))
        throw usageError("give either --pem or --p12");
      if (options.cert !== undefined && options.pem === undefined) throw usageError("--cert goes with --pem");
      if (options.p12 === "-") throw usageError("--p12 needs a file (PKCS#12 is binary)");
      if (options.pem === "-" && options.cert === "-")
        throw usageError("only one of --pem and --cert can be standard input");
      const password = options.keyPassword ?? io.env.PORTICO_KEY_PASSWORD;
      if (options.p12 !== undefined && password === undefined) throw usageError("--p12 needs --key-password");
      let body: JsonObject;
      if (options.p12 !== undefined) {
        body = {
          format: "PKCS12",
          fileData: (await readBytes(io, options.p12)).toString("base64"),
          password,
        };
      } else {
        const parts = [await readText(io, options.pem ?? "-")];
        if (options.cert !== undefined) parts.push(await readText(io, options.cert));
        body = {
          format: "PEM",
          fileData: parts.map((p) => p.trim()).join("\n"),
          ...(password === undefined ? {} : { password }),
        };
      }
      const key = await clientFor(io, options).post<JsonObject>(`${keysPath}/import`, {
        ...body,
        ...(options.id === undefined ? {} : { id: options.id }),
        ...(options.default ? { makeDefault: true } : {}),
      });
      if (options.json) return printJson(io, key);
      printKey(io, "Imported", key);
    });

  withConnectionOptions(
    group
      .command("export-cert")
      .description("print a key pair's certificate in PEM (Salesforce's Identity Provider Certificate)"),
  )
    .argument("<id>", "key pair id")
    .option("--out <file>", "write the certificate to a file instead of standard output")
    .action(async (id: string, options: ConnectionOptions & { out?: string | undefined }) => {
      const pem = await clientFor(io, options).getText(`${keysPath}/${pathId(id)}/certificate`);
      const document = pem.endsWith("\n") ? pem : `${pem}\n`;
      if (options.out === undefined) return io.stdout(document);
      const path = await writeOutFile(io, options.out, document);
      io.stdout(`Wrote the certificate of "${id}" to ${path}.\n`);
    });

  withConnectionOptions(group.command("delete").description("delete a signing key pair no connection uses"))
    .argument("<id>", "key pair id")
    .action(async (id: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`${keysPath}/${pathId(id)}`);
      io.stdout(`Deleted signing key pair "${id}".\n`);
    });

  withConnectionOptions(
    group.command("default").description("make a key pair the server's default (used by new connections)"),
  )
    .argument("<id>", "key pair id")
    .option("--json", "print the API's JSON")
    .action(async (id: string, options: JsonFlag) => {
      const key = await clientFor(io, options).put<JsonObject>(
        `${keysPath}/${pathId(id)}/default`,
        undefined,
      );
      if (options.json) return printJson(io, key);
      io.stdout(`Signing key pair ${summary(key)} is now the default.\n`);
    });
};
