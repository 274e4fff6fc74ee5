// signRequest: the SDK-HMAC-SHA256 signer as a public function, for any Huawei Cloud API
// request; the client signs its AK/SK calls with it too. Arguments are checked here and
// packed into one string for the wasm (see src/signer.rs), which builds the canonical
// request and hashes it.
import { signPacked } from "./wire.js";
import { CONTROL_LINE as LINE_BREAK, invalid, optionsObject, requiredString } from "./options.js";

/**
 * Signs a request with SDK-HMAC-SHA256, as the official Huawei Cloud SDKs do, and returns
 * the headers to send: the given ones plus `X-Sdk-Date`, `X-Security-Token` (temporary
 * credentials) and `Authorization`. `Host` is signed but not returned: the platform sends
 * it. Throws ValidationError for bad arguments.
 */
export function signRequest(request, credentials, options) {
  const req = optionsObject(request, "request");
  if (!req) throw invalid("request", "is required");
  const method = requiredString(req, "method", "request.method").toUpperCase();
  const url = requiredString(req, "url", "request.url");
  const body = req.body ?? "";
  if (typeof body !== "string") throw invalid("request.body", "must be a string");
  const creds = optionsObject(credentials, "credentials") ?? {};
  const accessKey = requiredString(creds, "accessKey", "credentials.accessKey");
  const secretKey = requiredString(creds, "secretKey", "credentials.secretKey");
  const securityToken = creds.securityToken ?? undefined;
  if (securityToken !== undefined && typeof securityToken !== "string") {
    throw invalid("credentials.securityToken", "must be a string");
  }
  const date = optionsObject(options, "options")?.date;
  let ms = Date.now();
  if (date !== undefined && date !== null) {
    if (!(date instanceof Date)) throw invalid("options.date", "must be a Date");
    ms = date.getTime();
    if (!Number.isFinite(ms)) throw invalid("options.date", "is an invalid Date");
  }
  if (LINE_BREAK.test(method)) throw invalid("request.method", "must be a single line");
  if (LINE_BREAK.test(url)) throw invalid("request.url", "must be an absolute http(s) URL");
  if (LINE_BREAK.test(accessKey) || LINE_BREAK.test(secretKey)) {
    throw invalid("credentials", "keys must be a single line");
  }

  const out = {};
  let packed = "";
  let count = 0;
  const add = (name, value) => {
    out[name] = value;
    packed += `${name}\n${value}\n`;
    count++;
  };
  const given = optionsObject(req.headers, "request.headers");
  if (given) {
    for (const name of Object.keys(given)) {
      const value = given[name];
      if (typeof value !== "string") throw invalid("request.headers", `the value of '${name}' must be a string`);
      if (name === "" || LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
        throw invalid("request.headers", `'${name}' must be a single-line name and value`);
      }
      const lower = name.toLowerCase();
      if (lower !== "authorization" && lower !== "x-sdk-date") add(name, value);
    }
  }
  if (securityToken) add("X-Security-Token", securityToken);
  const signed = signPacked(`${method}\n${url}\n${accessKey}\n${secretKey}\n${Math.floor(ms / 1000)}\n${count}\n${packed}`, body);
  const split = signed.indexOf("\n");
  out["X-Sdk-Date"] = signed.slice(0, split);
  out.Authorization = signed.slice(split + 1);
  return out;
}
