// The "remember" box. Only the fields named in REMEMBERED are ever written, so a secret
// cannot reach localStorage by accident: tokens and keys live in JS memory only.

const KEY = "functiongraph-demo.settings.v1";
/** Non-secret settings: endpoint or region, project, auth mode, the last function URN. */
export const REMEMBERED = ["target", "endpoint", "region", "projectId", "auth", "urn"];

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled (privacy settings, sandboxed frame)
  }
}

/** The remembered settings, or null when the box was not ticked. */
export function loadRemembered() {
  try {
    const raw = storage()?.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw);
    if (parsed === null || typeof parsed !== "object") return null;
    const out = {};
    for (const k of REMEMBERED) if (typeof parsed[k] === "string") out[k] = parsed[k];
    return out;
  } catch {
    return null;
  }
}

/** Stores the whitelisted fields of `settings`; everything else is dropped. */
export function saveRemembered(settings) {
  const out = {};
  for (const k of REMEMBERED) if (typeof settings[k] === "string") out[k] = settings[k];
  try {
    storage()?.setItem(KEY, JSON.stringify(out));
  } catch {
    // Quota or disabled storage: remembering is a convenience only.
  }
}

export function forgetRemembered() {
  try {
    storage()?.removeItem(KEY);
  } catch {}
}
