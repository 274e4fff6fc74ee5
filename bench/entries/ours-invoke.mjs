// The one-invoke browser program for the size comparison: functiongraph-client.
// Bundled by bench/size.mjs (esbuild --bundle --minify --format=esm --platform=browser); never run.
import { FunctionGraphClient } from "functiongraph-client";

const client = new FunctionGraphClient({
  projectId: "0123456789abcdef0123456789abcdef",
  endpoint: "http://127.0.0.1:8787",
  credentials: { accessKey: "DEVACCESSKEYEXAMPLE0", secretKey: "dev-secret-key-example" },
});
const r = await client.invoke("urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:echo:latest", { n: 1 });
document.body.textContent = JSON.stringify(r.json());
