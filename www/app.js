// The demo console: wires the panels together. Every call goes through the package's
// public API (FunctionGraphClient, error names); nothing here signs or sends requests.
import { byId } from "./dom.js";
import { Connection } from "./connection.js";
import { FunctionPicker } from "./functions.js";
import { EventEditor } from "./events.js";
import { InvokePanel } from "./invoke-panel.js";
import { AsyncTable } from "./async-table.js";

/** What the emulator tells a page it serves (null anywhere else). */
async function emulatorInfo() {
  if (!/^https?:$/.test(window.location.protocol)) return null;
  try {
    const res = await fetch("/_emulator/info", { cache: "no-store", headers: { accept: "application/json" } });
    if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return null;
    const info = await res.json();
    return info && typeof info.projectId === "string" ? info : null;
  } catch {
    return null;
  }
}

function fatal(message) {
  const el = byId("fatal");
  el.textContent = message;
  el.hidden = false;
}

async function main() {
  const [lib, info] = await Promise.all([import("/pkg/browser.js").catch(() => null), emulatorInfo()]);
  if (!lib) {
    fatal("Could not load the functiongraph-client package from /pkg/browser.js. Serve this page with `make demo` (fgs-emulator --www www --pkg pkg).");
    return;
  }
  byId("pkg-version").textContent = `functiongraph-client ${lib.version?.() ?? ""}`.trim();

  const table = new AsyncTable(lib);
  const editor = new EventEditor({ onSubmit: () => panel.invoke() });
  const refreshTable = () => table.setContext(connection.client, picker.urn, picker.displayName);
  const connection = new Connection(lib, { onChange: refreshTable });
  const picker = new FunctionPicker({
    onChange: (urn) => {
      connection.persist({ urn });
      editor.loadSample(picker.sampleName);
      panel.reset();
      refreshTable();
    },
  });
  const panel = new InvokePanel(lib, { connection, picker, editor, table });
  connection.onChangeNow = () => panel.reset();

  const remembered = connection.init(info);
  picker.init(info?.functions ?? [], remembered?.urn);
  connection.lastUrn = picker.urn;
  editor.loadSample(picker.sampleName, true);
  byId("source-note").textContent = info
    ? `Served by fgs-emulator: project ${info.projectId}, ${info.functions?.length ?? 0} sample functions${info.devCredentials ? ", dev credentials filled in" : ""}.`
    : "Not served by fgs-emulator: enter your region, project and credentials.";
  refreshTable();
  document.body.dataset.ready = "true";
}

main().catch(() => fatal("The page failed to start. Reload to try again."));
