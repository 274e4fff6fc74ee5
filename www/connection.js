// The connection panel: endpoint or region, project id, credentials. It owns the
// FunctionGraphClient and rebuilds it whenever a field changes. Secrets (token, secret
// key, security token) are read from the inputs into the client's options and nowhere
// else: never stored, never logged, never put in a URL.
import { byId, debounce } from "./dom.js";
import { forgetRemembered, loadRemembered, saveRemembered } from "./storage.js";

export class Connection {
  /**
   * @param lib the package's exports (FunctionGraphClient, isFunctionGraphError, …)
   * @param onChange called (debounced) after the client was rebuilt
   */
  constructor(lib, { onChange }) {
    this.lib = lib;
    this.client = null;
    this.problem = "Not configured yet";
    this.info = null;
    this.onChangeNow = () => {};
    this.notify = debounce(() => onChange(this), 400);
    this.el = {
      targetEndpoint: byId("conn-target-endpoint"),
      targetRegion: byId("conn-target-region"),
      endpoint: byId("conn-endpoint"),
      region: byId("conn-region"),
      regionHint: byId("conn-region-hint"),
      project: byId("conn-project"),
      authToken: byId("conn-auth-token"),
      authKeys: byId("conn-auth-aksk"),
      authNone: byId("conn-auth-none"),
      token: byId("conn-token"),
      ak: byId("conn-ak"),
      sk: byId("conn-sk"),
      st: byId("conn-st"),
      groupEndpoint: byId("grp-endpoint"),
      groupRegion: byId("grp-region"),
      groupToken: byId("grp-token"),
      groupKeys: byId("grp-aksk"),
      remember: byId("conn-remember"),
      status: byId("conn-status"),
      reset: byId("conn-reset"),
      toggle: byId("conn-toggle"),
      body: byId("conn-body"),
      badge: byId("env-badge"),
    };
    const panel = byId("connection");
    // Enter in a credentials field "submits" its form: never let that leave the page.
    panel.addEventListener("submit", (e) => e.preventDefault());
    panel.addEventListener("input", (e) => {
      if (e.target === this.el.remember) return;
      this.changed();
    });
    this.el.remember.addEventListener("change", () => this.persist());
    this.el.toggle.addEventListener("click", () => this.expand(this.el.body.hidden));
    this.el.reset.addEventListener("click", () => {
      this.applyEmulatorDefaults();
      this.changed();
    });
    // Show/hide buttons of the secret inputs.
    for (const button of panel.querySelectorAll("button[data-reveal]")) {
      button.addEventListener("click", () => {
        const input = byId(button.dataset.reveal);
        const show = input.type === "password";
        input.type = show ? "text" : "password";
        button.setAttribute("aria-pressed", String(show));
        button.textContent = show ? "Hide" : "Show";
      });
    }
  }

  /** Fills the fields: emulator defaults (when served by it), then remembered settings. */
  init(info) {
    this.info = info;
    const remembered = loadRemembered();
    if (info) this.applyEmulatorDefaults();
    else this.set({ target: "region", region: "", endpoint: "", projectId: "", auth: "token" });
    if (remembered) {
      this.el.remember.checked = true;
      this.set(remembered);
      const s = this.settings();
      // The dev credentials are for this emulator only, never for another endpoint.
      if (!(s.target === "endpoint" && s.endpoint === window.location.origin)) this.clearSecrets();
    }
    this.el.reset.hidden = !info;
    this.rebuild();
    // On a phone a working connection starts folded, so the editor is on the first screen.
    if (this.client && window.matchMedia("(max-width: 640px)").matches) this.expand(false);
    return remembered;
  }

  expand(open) {
    this.el.body.hidden = !open;
    this.el.toggle.setAttribute("aria-expanded", String(open));
    this.el.toggle.textContent = open ? "Hide" : "Edit";
  }

  applyEmulatorDefaults() {
    const info = this.info;
    if (!info) return;
    this.set({
      target: "endpoint",
      endpoint: window.location.origin,
      region: info.region ?? "",
      projectId: info.projectId ?? "",
      auth: "token",
    });
    const dev = info.devCredentials;
    // Public, documented dev values from the emulator itself; held in memory like any secret.
    this.clearSecrets();
    this.el.token.value = dev?.token ?? "";
    this.el.ak.value = dev?.accessKey ?? "";
    this.el.sk.value = dev?.secretKey ?? "";
  }

  clearSecrets() {
    for (const input of [this.el.token, this.el.ak, this.el.sk, this.el.st]) input.value = "";
  }

  /** Sets non-secret fields. */
  set(s) {
    if (s.target === "endpoint") this.el.targetEndpoint.checked = true;
    if (s.target === "region") this.el.targetRegion.checked = true;
    if (s.endpoint !== undefined) this.el.endpoint.value = s.endpoint;
    if (s.region !== undefined) this.el.region.value = s.region;
    if (s.projectId !== undefined) this.el.project.value = s.projectId;
    const auth = { token: this.el.authToken, aksk: this.el.authKeys, none: this.el.authNone }[s.auth];
    if (auth) auth.checked = true;
  }

  /** The non-secret settings (what "remember" may store). */
  settings() {
    return {
      target: this.el.targetRegion.checked ? "region" : "endpoint",
      endpoint: this.el.endpoint.value.trim(),
      region: this.el.region.value.trim(),
      projectId: this.el.project.value.trim(),
      auth: this.el.authKeys.checked ? "aksk" : this.el.authNone.checked ? "none" : "token",
    };
  }

  /** Remembers the non-secret settings (plus `extra`, e.g. the URN) when the box is ticked. */
  persist(extra = {}) {
    if (extra.urn !== undefined) this.lastUrn = extra.urn;
    if (this.el.remember.checked) saveRemembered({ ...this.settings(), urn: this.lastUrn });
    else forgetRemembered();
  }

  changed() {
    this.rebuild();
    this.persist();
    this.onChangeNow();
    this.notify();
  }

  /** Builds a client from the fields; sets `client` or `problem`. */
  rebuild() {
    const s = this.settings();
    this.el.groupEndpoint.hidden = s.target !== "endpoint";
    this.el.groupRegion.hidden = s.target !== "region";
    this.el.groupToken.hidden = s.auth !== "token";
    this.el.groupKeys.hidden = s.auth !== "aksk";
    this.el.regionHint.textContent = s.region
      ? `Calls https://functiongraph.${s.region}.myhuaweicloud.com`
      : "e.g. cn-north-4";

    this.client = null;
    this.problem = this.missing(s);
    if (!this.problem) {
      const options = { projectId: s.projectId, timeoutMs: 60_000 };
      if (s.target === "endpoint") options.endpoint = s.endpoint;
      else options.region = s.region;
      if (s.auth === "token") options.credentials = { token: this.el.token.value.trim() };
      if (s.auth === "aksk") {
        options.credentials = { accessKey: this.el.ak.value.trim(), secretKey: this.el.sk.value.trim() };
        const st = this.el.st.value.trim();
        if (st) options.credentials.securityToken = st;
      }
      try {
        this.client = new this.lib.FunctionGraphClient(options);
      } catch (e) {
        // A ValidationError names the option; its message never includes a secret.
        this.problem = this.lib.isFunctionGraphError(e) ? e.message : "The connection settings are not valid.";
      }
    }
    this.render(s);
  }

  missing(s) {
    if (s.target === "endpoint" && !s.endpoint) return "Enter the endpoint URL.";
    if (s.target === "region" && !s.region) return "Enter a region, e.g. cn-north-4.";
    if (!s.projectId) return "Enter the project id.";
    if (s.auth === "token" && !this.el.token.value.trim()) return "Enter an IAM token.";
    if (s.auth === "aksk" && (!this.el.ak.value.trim() || !this.el.sk.value.trim())) {
      return "Enter the access key and the secret key.";
    }
    return null;
  }

  render(s) {
    const { status, badge } = this.el;
    status.classList.toggle("is-error", Boolean(this.problem));
    status.classList.toggle("is-ok", !this.problem);
    const auth = { token: "token", aksk: "AK/SK", none: "no credentials" }[s.auth];
    status.textContent = this.problem ?? `Ready · ${auth} · project ${shorten(s.projectId)}`;
    const onEmulator = this.info && s.target === "endpoint" && s.endpoint === window.location.origin;
    badge.className = `env-badge ${this.problem ? "is-off" : onEmulator ? "is-emulator" : "is-cloud"}`;
    badge.textContent = this.problem
      ? "Not connected"
      : onEmulator
        ? `Emulator · ${this.info.region}`
        : s.target === "region"
          ? `Cloud · ${s.region}`
          : `Endpoint · ${hostOf(s.endpoint)}`;
  }
}

function shorten(id) {
  return id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
