// The package's types as TypeScript users meet them (make test-types):
// 1. consumer.ts, a strict typed consumer with `@ts-expect-error` lines for wrong usage,
//    with `lib: ["es2022", "dom"]` alone (no esnext.disposable, no @types/node);
// 2. disposable.ts, `using` a client, with a lib that declares Symbol.dispose;
// 3. every ```js and ```ts block of both READMEs, as written, against the built package
//    (pkg/, found through node_modules as an installed package is), moduleResolution
//    nodenext. The ts blocks are strict and whole programs. The js blocks are checked
//    (checkJs) for the API they use; those that continue an earlier example take the names
//    it declared (`client`, `urn`, ...) from context.d.ts below, and nothing else;
// 4. the repository README's rust block against the crate's doctest that compiles it.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const PKG_DIR = resolve(process.env.PKG_DIR ?? join(ROOT, "pkg"));
const OUT = join(ROOT, "test-output/types");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

let failed = 0;
function tsc(title, config) {
  try {
    execFileSync(process.execPath, [TSC, "-p", config], { encoding: "utf8", stdio: "pipe" });
    console.log(`ok   ${title}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${title}\n${e.stdout}${e.stderr}`);
  }
}

tsc("consumer.ts, strict, lib es2022 + dom only", join(HERE, "tsconfig.json"));
tsc("disposable.ts, `using`, lib + esnext.disposable", join(HERE, "tsconfig.disposable.json"));

// ------------------------------------------------------------------ the READMEs' blocks

/** The ```js and ```ts blocks of a Markdown file (list-indented ones too), in order. */
function blocks(file) {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^( *)```(js|ts)\n([\s\S]*?)^\1```$/gm)].map((m) => ({
    lang: m[2],
    line: text.slice(0, m.index).split("\n").length,
    code: m[3].split("\n").map((l) => l.slice(m[1].length)).join("\n"),
  }));
}

// What the fragments take from the examples before them, and from the page around them.
const CONTEXT = `// The names README fragments use without declaring: what the first example declares,
// and the page or program around a fragment. (tests/types/run.mjs)
import type * as api from "functiongraph-client";
declare global {
  const FunctionGraphClient: typeof api.FunctionGraphClient;
  const ServiceError: typeof api.ServiceError;
  const client: api.FunctionGraphClient;
  const urn: string;
  const projectId: string;
  const credentials: api.Credentials;
  // (\`event\`, the function's event, is lib.dom's deprecated global \`event\` here.)
  const signal: AbortSignal;
  const process: { env: Record<string, string | undefined> };
  function fetchTemporaryKeys(): Promise<{ ak: string; sk: string; securityToken: string; expires: number }>;
  function addRow(...cells: unknown[]): void;
  const nextButton: HTMLButtonElement;
  const countLabel: HTMLElement;
}
`;

rmSync(OUT, { recursive: true, force: true });
const project = join(OUT, "readme");
mkdirSync(join(project, "node_modules"), { recursive: true });
symlinkSync(PKG_DIR, join(project, "node_modules/functiongraph-client"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "readme-snippets", private: true, type: "module" }));
writeFileSync(join(project, "context.d.ts"), CONTEXT);

const files = { js: [], ts: [] };
for (const [doc, path] of [["npm", join(ROOT, "pkg-template/README.md")], ["repo", join(ROOT, "README.md")]]) {
  for (const b of blocks(path)) {
    // A block that names its file (`// example.cjs`) is that file; the rest are modules.
    const named = /^\/\/ \S+\.(c?js|mjs)\n/.exec(b.code)?.[1];
    const ext = b.lang === "ts" ? "ts" : named === "cjs" ? "cjs" : "js";
    const file = `${doc}-line-${b.line}.${ext}`;
    // `export {}` would change the text; moduleDetection "force" makes every file a module.
    writeFileSync(join(project, file), b.code);
    files[b.lang].push(file);
  }
}
if (files.ts.length < 1 || files.js.length < 10) {
  throw new Error(`found ${files.ts.length} ts and ${files.js.length} js blocks: the README was not read`);
}

const base = {
  noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
  lib: ["es2022", "dom"], types: [], moduleDetection: "force", skipLibCheck: false,
};
const config = (name, compilerOptions, list) => {
  const file = join(project, `tsconfig.${name}.json`);
  writeFileSync(file, JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, files: ["context.d.ts", ...list] }, null, 2));
  return file;
};
tsc(`README ts blocks (${files.ts.length}), strict, whole programs`, config("ts", { strict: true }, files.ts));
tsc(`README js blocks (${files.js.length}), checkJs`, config("js", { allowJs: true, checkJs: true }, files.js));

// The repository README's Rust example is compiled as a doctest of the crate (src/lib.rs,
// RepositoryReadmeExample): its lines there, hidden ones aside, must be the README's.
{
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rust = /^( *)```rust\n([\s\S]*?)^\1```$/m.exec(readme);
  const shown = rust[2].trimEnd().split("\n").map((l) => l.slice(rust[1].length));
  const lib = readFileSync(join(ROOT, "src/lib.rs"), "utf8");
  const doc = lib.slice(0, lib.indexOf("struct RepositoryReadmeExample;")).split("```no_run\n").pop().split("/// ```")[0];
  const compiled = doc.trimEnd().split("\n").map((l) => l.replace(/^\/\/\/ ?/, "")).filter((l) => !l.startsWith("# "));
  if (JSON.stringify(shown) === JSON.stringify(compiled)) console.log("ok   README's rust block is the crate's compiled doctest, as written");
  else {
    failed++;
    console.log(`FAIL README's rust block differs from src/lib.rs's RepositoryReadmeExample:\n${shown.join("\n")}\n---\n${compiled.join("\n")}`);
  }
}

console.log(`types: ${failed ? `${failed} failed` : "all passed"}`);
process.exit(failed ? 1 : 0);
