import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(new URL("..", import.meta.url).pathname);

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : files(path);
    return path.endsWith(".ts") ? [path] : [];
  });

const importsOf = (file: string): string[] => {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g))
    found.push(m[1] ?? "");
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1] ?? "");
  return found;
};

const withoutComments = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

/** The layer a file of src/ belongs to: its first folder, or the file itself at the top. */
const layerOf = (file: string): string => {
  const rel = relative(join(root, "src"), file);
  const [first] = rel.split("/");
  return rel.includes("/") ? (first ?? "") : rel.replace(/\.ts$/, "");
};

/**
 * STYLE.md's dependency direction. `compose`, `main` and `logger` form the composition root;
 * `version` is a leaf. Tests beside the code may import anything.
 */
const allowed: Record<string, readonly string[]> = {
  lib: [],
  version: [],
  xml: ["lib"],
  crypto: ["lib"],
  saml: ["xml", "crypto", "lib"],
  domain: ["lib", "saml"],
  // The expression language of attribute mappings: a pure core like saml/, over lib's errors.
  expressions: ["lib"],
  config: ["lib", "crypto"],
  services: ["domain", "saml", "crypto", "xml", "lib", "provisioning", "expressions", "ldap"],
  // The provisioning engine: a pure planner and the Salesforce and source adapters it drives.
  // Like saml/, it knows nothing of HTTP servers, the store or services.
  provisioning: ["domain", "lib", "crypto", "expressions", "ldap"],
  // LDAP directories: filters, presets and binary values (pure), and the pooled ldapts client
  // (the edge). Used by data stores, sign-in, attribute sources and provisioning alike.
  ldap: ["domain", "lib", "crypto"],
  store: ["domain", "lib"],
  // Prometheus metrics: a registry per server, fed by hooks (http/observe.ts, observed-store.ts).
  metrics: ["domain", "lib"],
  connectors: ["domain", "lib", "saml", "crypto", "xml"],
  http: ["services", "domain", "lib", "saml", "metrics"],
  // The admin console: server-rendered pages (pure views) and their routes, over the services,
  // on the admin listener. It borrows http's page tag and problem mapping.
  console: ["services", "domain", "lib", "http", "crypto"],
  cli: ["services", "domain", "lib", "config", "compose", "version", "logger"],
  logger: ["config"],
  compose: [
    "console",
    "metrics",
    "provisioning",
    "ldap",
    "config",
    "crypto",
    "http",
    "lib",
    "services",
    "store",
    "connectors",
    "domain",
    "version",
    "logger",
  ],
  main: ["cli"],
};

describe("architecture", () => {
  const sources = files(join(root, "src")).filter((f) => !f.endsWith(".test.ts"));

  it("every file of src/ belongs to a known layer", () => {
    const unknown = [...new Set(sources.map(layerOf))].filter((layer) => !(layer in allowed));
    assert.deepEqual(unknown, []);
  });

  it("imports only follow the allowed arrows", () => {
    const wrong: string[] = [];
    for (const file of sources) {
      const from = layerOf(file);
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith(".")) continue;
        const target = resolve(file, "..", specifier);
        if (!target.startsWith(join(root, "src"))) {
          wrong.push(`${relative(root, file)} reaches outside src/: ${specifier}`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !(allowed[from] ?? []).includes(to))
          wrong.push(`${relative(root, file)}: ${from} → ${to} (${specifier})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("has no import cycles, type-only imports included", () => {
    const graph = new Map<string, string[]>();
    for (const file of files(join(root, "src"))) {
      graph.set(
        file,
        importsOf(file)
          .filter((s) => s.startsWith("."))
          .map((s) => resolve(file, "..", s)),
      );
    }
    // Tarjan's strongly connected components: every component of more than one file is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (file: string) => {
      index.set(file, next);
      low.set(file, next);
      next++;
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          visit(target);
          low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
        } else if (onStack.has(target)) {
          low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
        }
      }
      if (low.get(file) === index.get(file)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(relative(root, member));
        } while (member !== file);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });

  it("http and cli hold no SQL and build no XML", () => {
    const offenders = sources
      .filter((f) => ["http", "cli", "console"].includes(layerOf(f)))
      .filter((f) =>
        /from ["'](kysely|better-sqlite3|pg|@xmldom\/xmldom|xml-crypto)["']/.test(readFileSync(f, "utf8")),
      );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it("only the XML layer touches the XML parser", () => {
    const offenders = sources
      .filter((f) => layerOf(f) !== "xml")
      .filter((f) => /from ["']@xmldom\/xmldom["']/.test(readFileSync(f, "utf8")));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it("the emulator imports nothing from src/", () => {
    const offenders = files(join(root, "emulator")).filter((file) =>
      importsOf(file).some((s) => s.startsWith(".") && resolve(file, "..", s).startsWith(join(root, "src"))),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it("XML is emitted only through the builder: no markup in string literals outside xml/", () => {
    const offenders: string[] = [];
    for (const file of sources.filter((f) => layerOf(f) !== "xml")) {
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      if (/["'`]<\/?[A-Za-z][\w-]*:[A-Za-z]/.test(code)) offenders.push(relative(root, file));
    }
    assert.deepEqual(offenders, []);
  });

  it("src/ has no `any`, no non-null assertions and no enums", () => {
    const offenders: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, "utf8")
        .replace(/\/\/.*$/gm, "")
        .replace(/\/\*[\s\S]*?\*\//g, "");
      if (/:\s*any\b|<any>|as any\b/.test(text)) offenders.push(`${relative(root, file)}: any`);
      if (/\benum\s+\w+\s*\{/.test(text)) offenders.push(`${relative(root, file)}: enum`);
      if (/\bnamespace\s+\w+\s*\{/.test(text)) offenders.push(`${relative(root, file)}: namespace`);
    }
    assert.deepEqual(offenders, []);
  });

  it("http handlers take request types from their schemas: no `as` casts of request parts", () => {
    // The TypeBox type provider (admin-api/type-provider.ts) types body, params and query from
    // each route's schemas; the runtime's form fields go through formFields, which checks them.
    const cast = /\b(?:req|request)\.[\w.[\]"']+(?:\s*\?\?\s*[^)]*)?\)?\s+as\s+(?!const\b)/;
    const offenders = sources
      .filter((f) => ["http", "console"].includes(layerOf(f)))
      .filter((f) => cast.test(withoutComments(readFileSync(f, "utf8"))))
      .map((f) => relative(root, f));
    assert.deepEqual(offenders, []);
  });

  it('tests say "fails with this code" through test/support/errors.ts, not by hand', () => {
    // throwsCode, rejectsWithCode, assertCode and assertProblem check the class, the code and (for
    // HTTP) the status and media type in one place; a hand-rolled predicate checks whatever it
    // remembered to. No exceptions.
    const handRolled = [
      /\binstanceof AppError\b/,
      /\bisAppError\(/,
      /\((e|err|error)(?::\s*unknown)?\)\s*=>[^;]*?\b\1\.code\s*===/,
      /\.json\(\)(?:\s+as\s+(?:\{[^}]*\}|Problem))?\)?\.code\b/,
      /\bas\s+\{\s*code:\s*string\b/,
    ];
    const tests = [...files(join(root, "src")), ...files(join(root, "test"))]
      .filter((f) => f.endsWith(".test.ts") || relative(root, f).startsWith("test/support/"))
      .filter((f) => relative(root, f) !== "test/support/errors.ts");
    const offenders = tests
      .map((f) => relative(root, f))
      .filter((name) =>
        handRolled.some((re) => re.test(withoutComments(readFileSync(join(root, name), "utf8")))),
      );
    assert.deepEqual(offenders, []);
  });

  it("no .ts file under src/, test/, emulator/, scripts/ or bench/ passes 400 lines", () => {
    // Split along seams instead (STYLE.md): a case table beside the suite that sends it, one
    // describe per concern. No exceptions.
    const limit = 400;
    const tooLong = ["src", "test", "emulator", "scripts", "bench"]
      .flatMap((dir) => files(join(root, dir)))
      .map((file) => ({
        file: relative(root, file),
        lines: readFileSync(file, "utf8").split("\n").length - 1,
      }))
      .filter(({ lines }) => lines > limit)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(tooLong, []);
  });
});
