// `using` with a lib that declares Symbol.dispose (tsconfig.disposable.json adds
// esnext.disposable). consumer.ts is compiled without it: the types must not need it.
import { FunctionGraphClient } from "functiongraph-client";

{
  using scoped = new FunctionGraphClient({ projectId: "0123456789abcdef0123456789abcdef", region: "cn-north-4" });
  void scoped.invoke("urn", {});
}
const explicit = new FunctionGraphClient({ projectId: "0123456789abcdef0123456789abcdef", region: "cn-north-4" });
explicit[Symbol.dispose]();
