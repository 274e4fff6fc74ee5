// Entry with the wasm inside: nothing to fetch, read or copy, and no top-level await. The
// bytes are compiled synchronously while this module is evaluated (browsers allow that on
// the main thread for a module this size), so a module worker that imports it has its
// `onmessage` set before any message arrives. package.json's exports give it to every
// bundler but webpack, to dev servers, bundles for Node and Deno (no read permission);
// `functiongraph-client/inline` names it. The wasm is a string of one character per byte,
// in a code that keeps bundlers from writing most bytes as escapes (see
// scripts/build-pkg.mjs): it gzips to within 4% of the .wasm itself.
// (Not Cloudflare Workers or Vercel Edge: they compile no wasm from bytes at run time; the
// default import resolves to workerd.js in Workers.)
import { initSync } from "./functiongraph_client.js";
import { decode, text } from "./functiongraph_client_bg.wasm.js";

const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) bytes[i] = decode.charCodeAt(text.charCodeAt(i));
initSync({ module: bytes });

export * from "./api.js";
