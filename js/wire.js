// The wasm's exports (../functiongraph_client.js) as the client uses them: arguments'
// types checked here, values checked by the wasm, refusals thrown as ValidationError.
// Only strings and numbers cross: a getter or Proxy trap of the caller's runs here,
// never while the wasm is on the stack (see src/lib.rs).
import * as wasm from "../functiongraph_client.js";
import { invalid, optString, optionsObject } from "./options.js";

export { bodyLimit, parseTime } from "../functiongraph_client.js";

/** A wasm answer: its value, or a refusal `"\0field\0message"` thrown as ValidationError. */
function checked(out) {
  if (out.charCodeAt(0) !== 0) return out;
  const split = out.indexOf("\0", 1);
  throw invalid(out.slice(1, split), out.slice(split + 1));
}

/** The path of operation `op` (see client.js) on `functionUrn`, in project `projectId`. */
export function requestPath(projectId, functionUrn, op) {
  if (typeof functionUrn !== "string") throw invalid("functionUrn", "must be a string");
  return checked(wasm.requestPath(projectId, functionUrn, op));
}

/** The JSON body of a cancel. */
export function cancelBody(requestId, type) {
  // Not a string: sent as an empty id, which the wasm refuses with the rule for ids.
  return checked(wasm.cancelBody(typeof requestId === "string" ? requestId : "", type));
}

/** `"{X-Sdk-Date}\n{Authorization}"` of a packed request (see src/signer.rs). */
export function signPacked(packed, body) {
  return checked(wasm.signPacked(packed, body));
}

/**
 * The query string (without `?`, "" when none) of a listing, or of an active listing.
 * Each field is read once, here; a value of the wrong type goes to the wasm as one it
 * refuses with its rule (NaN for a limit, "" for a marker or time), so each rule is
 * written once.
 */
export function listingQuery(query, active) {
  let args;
  try {
    const q = optionsObject(query, "query");
    if (q === undefined) return "";
    const limit = q.limit ?? undefined;
    const marker = q.marker ?? undefined;
    const [begin, beginMs] = time(q.begin);
    const [end, endMs] = time(q.end);
    const [ids, count] = active ? requestIds(q.requestIds) : [undefined, 0];
    args = [
      active,
      optString(q, "requestId", "query.requestId"),
      optString(q, "status", "query.status"),
      limit === undefined || typeof limit === "number" ? limit : NaN,
      marker === undefined || typeof marker === "string" ? marker : typeof marker === "number" ? String(marker) : "",
      begin,
      beginMs,
      end,
      endMs,
      ids,
      count,
    ];
  } catch (e) {
    if (e?.name === "ValidationError") throw e;
    throw invalid("query", "could not be read", e);
  }
  return checked(wasm.listingQuery(...args));
}

/** A listing time as `[text, dateMs]`: a Date (of any realm: `getTime`'s brand check) as its ms. */
function time(v) {
  if (v === undefined || v === null) return [undefined, undefined];
  if (typeof v === "string") return [v, undefined];
  if (typeof v === "object") {
    try {
      return [undefined, Date.prototype.getTime.call(v)];
    } catch {
      // Not a Date.
    }
  }
  return ["", undefined];
}

/** `requestIds` as `[joined with commas, count]`; an id that is not a string goes as "". */
function requestIds(v) {
  if (v === undefined || v === null) return [undefined, 0];
  if (!Array.isArray(v)) throw invalid("query.requestIds", "must be an array of request ids");
  // Past the limit of 10 the wasm refuses the count alone.
  if (v.length > 10) return ["", v.length];
  return [v.map((id) => (typeof id === "string" ? id : "")).join(","), v.length];
}
