// The same one-invoke browser program with @aws-sdk/client-lambda (modular v3 client,
// only LambdaClient + InvokeCommand imported), for the size comparison in bench/size.mjs.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

const client = new LambdaClient({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:8787",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example-secret-key" },
});
const r = await client.send(new InvokeCommand({ FunctionName: "echo", Payload: new TextEncoder().encode('{"n":1}') }));
document.body.textContent = new TextDecoder().decode(r.Payload);
