// How the page shows a failed call: the error's class (by `name`, as the package
// recommends), its error code, HTTP status, message, request id and a hint.
import { h } from "./dom.js";

const HINTS = {
  401: "The service did not accept the credentials: check the token, or the access key and secret key.",
  403: "The token or keys were refused, or they belong to another project: check the connection panel.",
  404: "Check the function URN (name, package, version or alias) and the project.",
  429: "Throttled: the function is at its concurrency limit, or disabled. Try again shortly.",
};

/** `{name, code, status, message, requestId, details[]}` of anything a call rejected with. */
export function describeError(lib, e) {
  if (!lib.isFunctionGraphError(e)) {
    const message = e instanceof Error ? e.message : typeof e === "string" ? e : "The call was stopped.";
    return { name: e instanceof Error ? e.name : "Stopped", code: "", status: null, message, requestId: null, details: [] };
  }
  const out = { name: e.name, code: "", status: e.status ?? null, message: e.message, requestId: e.requestId ?? null, details: [] };
  switch (e.name) {
    case "ServiceError":
      out.code = e.errorCode || "";
      out.message = e.errorMsg || e.message;
      if (HINTS[e.status]) out.hint = HINTS[e.status];
      break;
    case "ValidationError":
      out.details.push(["Field", e.field]);
      out.hint = "Nothing was sent: the client refused the input before any request.";
      break;
    case "NetworkError":
      out.hint =
        "No answer: the endpoint is unreachable, or (from another origin) it does not allow this page by CORS.";
      if (e.cause?.message) out.details.push(["Cause", e.cause.message]);
      break;
    case "TimeoutError":
      out.details.push(["Time limit", `${e.timeoutMs} ms`]);
      break;
    case "ResponseError":
      if (e.body) out.details.push(["Body", e.body.slice(0, 300)]);
      break;
    default:
      break;
  }
  if (typeof e.attempts === "number" && e.attempts > 1) out.details.push(["Attempts", String(e.attempts)]);
  return out;
}

/** A compact block for an error; `title` says which call failed. */
export function errorBlock(lib, e, title) {
  const d = describeError(lib, e);
  return h(
    "div",
    { class: "error-box", dataset: { errorName: d.name } },
    h(
      "div",
      { class: "error-head" },
      h("span", { class: "pill pill-fail error-class", text: d.name }),
      d.code ? h("code", { class: "error-code", text: d.code }) : null,
      d.status ? h("span", { class: "muted", text: `HTTP ${d.status}` }) : null,
      title ? h("span", { class: "muted error-title", text: title }) : null,
    ),
    h("p", { class: "error-message", text: d.message }),
    d.requestId || d.details.length
      ? h(
          "dl",
          { class: "meta" },
          d.requestId ? [h("dt", { text: "Request ID" }), h("dd", {}, h("code", { text: d.requestId }))] : null,
          d.details.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]),
        )
      : null,
    d.hint ? h("p", { class: "hint", text: d.hint }) : null,
  );
}
