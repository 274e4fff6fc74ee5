// Builds the npm package into pkg/ with wasm-pack, offline: its own downloads are off
// (Cargo.toml's [package.metadata.wasm-pack] turns wasm-opt off; the wasm-bindgen it
// runs is the pinned CLI that scripts/setup.sh installs). Then Debian's wasm-opt -Oz,
// short names at the wasm/JS boundary, the glue and js/ as one module, and what
// pkg-template/ adds: the Node, browser, inline (the wasm as a string module) and workerd
// entries, the CommonJS entry, the types, the README, the licences and package.json (its
// version is the crate's).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "pkg");
const template = join(root, "pkg-template");
const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", env });

// The wasm must not depend on where the repository or Cargo's home is: panic locations
// keep source paths, and a clone elsewhere (CI's) would build a wasm of another size than
// tests/size/budget.json records. Paths are made relative to both, and a dependency's
// path names only its crate (`crates.io/js-sys-0.3.106/src/lib.rs`): the registry's folder
// name (`index.crates.io-<hash>`) depends on Cargo's version. (rustc takes the last
// matching prefix.)
const cargoHome = process.env.CARGO_HOME ?? join(homedir(), ".cargo");
const registry = join(cargoHome, "registry", "src");
run("cargo", ["fetch", "--locked", "--quiet"]); // (creates the registry's folder on a fresh machine)
const remap = [
  `--remap-path-prefix=${root}=.`,
  `--remap-path-prefix=${cargoHome}=~/.cargo`,
  ...(existsSync(registry) ? readdirSync(registry) : []).map((index) => `--remap-path-prefix=${join(registry, index)}=crates.io`),
];
const rustflags = [process.env.RUSTFLAGS, ...remap].filter(Boolean).join(" ");

rmSync(pkgDir, { recursive: true, force: true });
// --target web: one ES module glue for Node, browsers and bundlers; --weak-refs: a client
// that is never free()d is still collected; the `wasm` profile is size-first.
run("wasm-pack", [
  "build", "--target", "web", "--out-dir", pkgDir, "--out-name", "functiongraph_client",
  "--no-typescript", "--no-pack", "--weak-refs", "--profile", "wasm", "--mode", "no-install",
  // The package's own allocator (Cargo.toml's `npm-allocator` feature).
  "--", "--features", "npm-allocator",
], { ...process.env, RUSTFLAGS: rustflags });
const wasm = join(pkgDir, "functiongraph_client_bg.wasm");
// The features wasm-bindgen's output uses; binaryen 108 needs them named. Inlining a
// function into its one caller only when it is tiny, and running the passes until the size
// stops moving, gzips ~6 KB smaller than plain -Oz (whose one-caller inlining shrinks the
// raw wasm but copies bodies that gzip had compressed well as one).
const features = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
run("wasm-opt", ["-Oz", "--one-caller-inline-max-function-size", "10", "--converge", ...features, wasm, "-o", wasm]);
minifyBoundaryNames(wasm, join(pkgDir, "functiongraph_client.js"));

// wasm-bindgen puts js/errors.js and js/results.js (imported by the Rust) under a hashed
// folder, imported by the glue. The glue and them become one module (esbuild, not
// minified), which also exports the classes of js/ for api.js: an entry then loads three
// modules (itself, api.js and this one) instead of five. That is ~2.5 ms of Node's
// import, and two requests fewer for a page that loads browser.js without a bundler.
// Every ES module entry imports this one module, so the classes exist once however many
// of them a program imports (node.cjs is a bundle of its own: an error from it is still
// recognised across copies, by its brand).
const esbuild = await import("esbuild");
{
  const snippets = readdirSync(join(pkgDir, "snippets"));
  if (snippets.length !== 1) throw new Error(`expected one snippets folder, found ${snippets.join(", ")}`);
  const js = `./snippets/${snippets[0]}/js`;
  const bundled = join(pkgDir, "functiongraph_client.bundled.js");
  await esbuild.build({
    stdin: {
      contents: [
        'export * from "./functiongraph_client.js";',
        'export { default } from "./functiongraph_client.js";',
        `export * from "${js}/errors.js";`,
        `export { InvokeResult } from "${js}/results.js";`,
      ].join("\n"),
      resolveDir: pkgDir,
      sourcefile: "glue-and-js.js",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: bundled,
    logLevel: "warning",
    banner: { js: "// wasm-bindgen's glue and js/ (errors.js, results.js) in one module, by scripts/build-pkg.mjs." },
  });
  renameSync(bundled, join(pkgDir, "functiongraph_client.js"));
  rmSync(join(pkgDir, "snippets"), { recursive: true });
}
for (const entry of ["api.js", "node.js", "browser.js", "inline.js", "workerd.js"]) {
  cpSync(join(template, entry), join(pkgDir, entry));
}
// The inline entry's wasm: one string in a module of its own, so that no stack frame (and
// no source line Node echoes with an uncaught error) is ever in it.
writeFileSync(`${wasm}.js`, wasmStringModule(readFileSync(wasm)));
// The CommonJS entry, for a require() that cannot load the ES module (Node 18, Node 20
// before 20.19, Jest's default CommonJS runtime): the Node entry with the glue module,
// bundled by esbuild into one CommonJS file that reads the same .wasm synchronously. Its
// types are index.d.ts again, as a .d.cts (TypeScript reads a .d.ts in a "type": "module"
// package as an ES module's, which CommonJS code under node16 may not import).
await esbuild.build({
  stdin: {
    contents: readFileSync(join(template, "node-cjs.js"), "utf8"),
    resolveDir: pkgDir,
    sourcefile: "node-cjs.js",
  },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node18",
  outfile: join(pkgDir, "node.cjs"),
  logLevel: "warning",
  banner: { js: "// CommonJS entry (generated by scripts/build-pkg.mjs from pkg-template/node-cjs.js): see package.json's exports." },
});
cpSync(join(template, "index.d.ts"), join(pkgDir, "index.d.cts"));
for (const file of ["index.d.ts", "inline.d.ts", "README.md"]) cpSync(join(template, file), join(pkgDir, file));
for (const file of ["LICENSE-MIT", "LICENSE-APACHE"]) cpSync(join(root, file), join(pkgDir, file));

const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const pkg = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
pkg.version = /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/.exec(cargo)[1];
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
{
  // Decoded as inline.js decodes it, the inline wasm must be the .wasm, byte for byte.
  const { decode, text } = await import(pathToFileURL(`${wasm}.js`).href);
  const decoded = Uint8Array.from(text, (char) => decode.charCodeAt(char.charCodeAt(0)));
  if (!Buffer.from(decoded).equals(readFileSync(wasm))) throw new Error("the inline wasm does not decode to the .wasm");
}
rmSync(join(pkgDir, ".gitignore"), { force: true });
console.log(`pkg/ built: functiongraph-client ${pkg.version}`);

/**
 * The wasm as a JS module of two strings: `text`, one character per byte, and `decode`,
 * whose character at a text character's code is that byte. The code is chosen per build:
 * the wasm's 117 most frequent byte values (95% of its bytes) become characters that
 * bundlers write as themselves (printable ASCII but `` ` ``, `\` and `$`, then the control
 * characters esbuild keeps raw); the rest become characters written as escapes. Written
 * plainly (each byte as its own character), a quarter of the wasm was escapes (`\0`,
 * `\x7f`, …), and the esbuild-minified inline entry was 4.9 KB more, gzip.
 * The same bytes in the same order, so gzip finds the wasm's own repetitions, byte-aligned
 * (base64 cost 32% more). The file is ASCII: characters 0x7F and up are written \xNN, NUL,
 * LF and CR escaped, other control characters left as they are (legal in a string
 * literal), so no tool can read it in another encoding.
 */
function wasmStringModule(bytes) {
  const count = new Array(256).fill(0);
  for (const b of bytes) count[b]++;
  // Ties broken by value: the same wasm always gets the same code.
  const byFrequency = [...count.keys()].sort((a, b) => count[b] - count[a] || a - b);
  // Printable ASCII first: every tool writes it as it is. Then the control characters
  // esbuild (Vite's minifier) writes raw in a template literal, LF last (this file writes
  // it "\n"); it escapes BEL and ESC.
  const plain = [];
  for (let c = 0x20; c < 0x7f; c++) if (c !== 0x60 && c !== 0x5c && c !== 0x24) plain.push(c);
  for (let c = 0x01; c < 0x20; c++) if (![0x07, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b].includes(c)) plain.push(c);
  plain.push(0x0a);
  const chars = [...plain, ...[...count.keys()].filter((c) => !plain.includes(c))];
  const code = new Array(256);
  byFrequency.forEach((byte, i) => { code[byte] = chars[i]; });
  const decode = new Array(256);
  code.forEach((char, byte) => { decode[char] = byte; });
  const literal = (charCodes) => {
    let out = "";
    for (let i = 0; i < charCodes.length; i++) {
      const c = charCodes[i];
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x0d) out += "\\r";
      // "\0" before a digit would be an octal escape.
      else if (c === 0) out += charCodes[i + 1] >= 0x30 && charCodes[i + 1] <= 0x39 ? "\\x00" : "\\0";
      else if (c >= 0x7f) out += `\\x${c.toString(16)}`;
      else out += String.fromCharCode(c);
    }
    return `"${out}"`;
  };
  return (
    "// functiongraph_client_bg.wasm for inline.js (generated by scripts/build-pkg.mjs): one\n" +
    "// character per byte; decode maps a character's code to its byte.\n" +
    `export const decode = ${literal(decode)};\n` +
    `export const text = ${literal(Array.from(bytes, (b) => code[b]))};\n`
  );
}

/**
 * Renames the wasm's imports, its import module and its exports (all but `memory`, which
 * `initSync()`'s result names) to the shortest names, and the glue's uses of them to
 * match. wasm-bindgen names each import after its JS function with a 16-hex-digit hash
 * (`__wbg_append_1938ed58fb5613b8`), ~130 of them, written once in the wasm and once in the
 * glue: random digits that gzip cannot shrink (~4 KB of the download). The glue meets the
 * names in two forms only, both checked here: the keys of its import object
 * (`name: function`) and `wasm.name` for an export; the module key is the glue file's name.
 */
function minifyBoundaryNames(wasmPath, gluePath) {
  const { bytes, imports, exports, moduleName } = renameBoundary(readFileSync(wasmPath));
  let glue = readFileSync(gluePath, "utf8");
  const replaceOnce = (from, to) => {
    const count = glue.split(from).length - 1;
    if (count !== 1) throw new Error(`the glue has ${count} of ${JSON.stringify(from)}, expected 1`);
    glue = glue.replace(from, to);
  };
  replaceOnce(`"${moduleName.from}": import0`, `${moduleName.to}: import0`);
  for (const [from, to] of imports) replaceOnce(`\n        ${from}: function`, `\n        ${to}: function`);
  glue = glue.replace(/\bwasm\.([A-Za-z0-9_$]+)/g, (whole, name) => {
    if (!exports.has(name)) throw new Error(`the glue uses wasm.${name}, which the wasm does not export`);
    return `wasm.${exports.get(name)}`;
  });
  writeFileSync(wasmPath, bytes);
  writeFileSync(gluePath, glue);
  new WebAssembly.Module(bytes); // still valid
}

/** Short names: a … z, A … Z, then two letters and more. */
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let n = 0; ; n++) {
    let name = "";
    for (let i = n; ; i = Math.floor(i / letters.length) - 1) {
      name = letters[i % letters.length] + name;
      if (i < letters.length) break;
    }
    // Words the glue or JS gives a meaning as a bare property name are not needed: every
    // name is a property key or follows `wasm.`, where any identifier is allowed.
    yield name;
  }
}

/**
 * The wasm with its import and export sections rewritten (every other section copied as
 * it is): one import module, each import and export (but `memory`) given a short name.
 * Returns the new bytes and the renamings.
 */
function renameBoundary(input) {
  let pos = 8;
  const readU32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = input[pos++];
      result |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result >>> 0;
      shift += 7;
    }
  };
  const readName = () => {
    const len = readU32();
    const name = new TextDecoder().decode(input.subarray(pos, pos + len));
    pos += len;
    return name;
  };
  const u32 = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return Buffer.from(out);
  };
  const name = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);
  const short = shortNames();
  const moduleName = { from: undefined, to: short.next().value };
  const imports = new Map();
  const exports = new Map();
  const parts = [input.subarray(0, 8)];
  while (pos < input.length) {
    const header = pos;
    const id = input[pos++];
    const size = readU32();
    const end = pos + size;
    if (id === 2) {
      // Imports: module, name, then the description (kept byte for byte).
      const count = readU32();
      const body = [u32(count)];
      for (let i = 0; i < count; i++) {
        const module = readName();
        const field = readName();
        if (moduleName.from === undefined) moduleName.from = module;
        if (module !== moduleName.from) throw new Error(`a second import module: ${module}`);
        const descStart = pos;
        const kind = input[pos++];
        if (kind !== 0) throw new Error(`import ${field} is not a function (kind ${kind})`);
        readU32(); // its type index
        if (imports.has(field)) throw new Error(`import ${field} twice`);
        imports.set(field, short.next().value);
        body.push(name(moduleName.to), name(imports.get(field)), input.subarray(descStart, pos));
      }
      if (pos !== end) throw new Error("the import section did not parse to its end");
      const content = Buffer.concat(body);
      parts.push(Buffer.from([id]), u32(content.length), content);
    } else if (id === 7) {
      const count = readU32();
      const body = [u32(count)];
      for (let i = 0; i < count; i++) {
        const field = readName();
        const descStart = pos;
        pos++; // kind
        readU32(); // index
        const to = field === "memory" ? field : short.next().value;
        exports.set(field, to);
        body.push(name(to), input.subarray(descStart, pos));
      }
      if (pos !== end) throw new Error("the export section did not parse to its end");
      const content = Buffer.concat(body);
      parts.push(Buffer.from([id]), u32(content.length), content);
    } else {
      parts.push(input.subarray(header, end));
    }
    pos = end;
  }
  return { bytes: Buffer.concat(parts), imports, exports, moduleName };
}
