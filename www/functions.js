// The function picker: the emulator's functions (from /_emulator/info) in a select, a
// version/alias select, and the URN as free text (what you use against the cloud).
import { byId, debounce, h } from "./dom.js";

const CUSTOM = "__custom__";

/** `urn:fss:<region>:<project>:function:<package>:<name>[:<qualifier>]` → its parts, or null. */
export function parseUrn(urn) {
  const m = /^urn:fss:([^:]+):([^:]+):function:([^:]+):([^:]+)(?::([^:]+))?$/.exec(urn.trim());
  return m ? { region: m[1], project: m[2], package: m[3], name: m[4], qualifier: m[5] ?? "" } : null;
}

export class FunctionPicker {
  constructor({ onChange }) {
    this.functions = [];
    this.onChange = onChange;
    this.el = {
      select: byId("fn-select"),
      selectGroup: byId("grp-fn-select"),
      qualifier: byId("fn-qualifier"),
      qualifierGroup: byId("grp-fn-qualifier"),
      urn: byId("fn-urn"),
      description: byId("fn-description"),
    };
    const typed = debounce(() => this.fromUrnText(), 400);
    this.el.select.addEventListener("change", () => this.fromSelect());
    this.el.qualifier.addEventListener("change", () => this.fromSelect());
    this.el.urn.addEventListener("input", typed);
    this.el.urn.addEventListener("change", () => typed.flush());
  }

  /** Offers `functions` (from the emulator; may be empty) and selects `urn` or the first one. */
  init(functions, urn) {
    this.functions = Array.isArray(functions) ? functions : [];
    const { select } = this.el;
    select.replaceChildren(
      ...this.functions.map((f) => h("option", { value: f.name, text: f.name })),
      h("option", { value: CUSTOM, text: "Other (enter a URN)" }),
    );
    this.el.selectGroup.hidden = this.functions.length === 0;
    if (urn) {
      this.el.urn.value = urn;
      this.matchUrn();
    } else if (this.functions.length) {
      select.value = this.functions.find((f) => f.name === "hello")?.name ?? this.functions[0].name;
      this.fillQualifiers();
      this.el.urn.value = this.urnFor();
    } else {
      select.value = CUSTOM;
    }
    this.describe();
    this.lastNotified = this.urn;
  }

  /** The selected function's URN ("" when none). */
  get urn() {
    return this.el.urn.value.trim();
  }

  /** The sample function's name when one is selected, else null. */
  get sampleName() {
    const v = this.el.select.value;
    return v && v !== CUSTOM ? v : null;
  }

  /** A short name for the function: the sample's name, or `name:qualifier` from the URN. */
  get displayName() {
    if (this.sampleName) return this.sampleName;
    const parts = parseUrn(this.urn);
    return parts ? `${parts.name}${parts.qualifier ? `:${parts.qualifier}` : ""}` : this.urn;
  }

  selected() {
    return this.functions.find((f) => f.name === this.el.select.value) ?? null;
  }

  fillQualifiers(current) {
    const f = this.selected();
    const { qualifier, qualifierGroup } = this.el;
    if (!f) {
      qualifierGroup.hidden = true;
      return;
    }
    const versions = f.versions?.length ? f.versions : ["latest"];
    const aliases = f.aliases ?? [];
    qualifier.replaceChildren(
      h("optgroup", { label: "Versions" }, versions.map((v) => h("option", { value: v, text: v }))),
      aliases.length ? h("optgroup", { label: "Aliases" }, aliases.map((a) => h("option", { value: a, text: a }))) : null,
    );
    qualifier.value = [...versions, ...aliases].includes(current) ? current : versions[0];
    qualifierGroup.hidden = versions.length + aliases.length <= 1;
  }

  urnFor() {
    const f = this.selected();
    if (!f) return this.urn;
    const parts = parseUrn(f.urn);
    if (!parts) return f.urn;
    const q = this.el.qualifier.value || "latest";
    return `urn:fss:${parts.region}:${parts.project}:function:${parts.package}:${parts.name}:${q}`;
  }

  fromSelect() {
    if (this.el.select.value === CUSTOM) {
      this.el.qualifierGroup.hidden = true;
      this.describe();
      this.el.urn.focus();
      return;
    }
    const keep = this.el.qualifier.value;
    if (document.activeElement !== this.el.qualifier) this.fillQualifiers(keep);
    this.el.urn.value = this.urnFor();
    this.describe();
    this.notify();
  }

  fromUrnText() {
    if (this.urn === this.lastNotified) return;
    this.matchUrn();
    this.describe();
    this.notify();
  }

  /** Selects the sample function the typed URN names, or "Other". */
  matchUrn() {
    const parts = parseUrn(this.urn);
    const f =
      parts &&
      this.functions.find((fn) => {
        const p = parseUrn(fn.urn);
        return p && p.project === parts.project && p.package === parts.package && p.name === parts.name;
      });
    if (f) {
      this.el.select.value = f.name;
      this.fillQualifiers(parts.qualifier || "latest");
      if (this.el.qualifier.value !== (parts.qualifier || "latest")) {
        this.el.select.value = CUSTOM;
        this.el.qualifierGroup.hidden = true;
      }
    } else {
      this.el.select.value = CUSTOM;
      this.el.qualifierGroup.hidden = true;
    }
  }

  describe() {
    const f = this.selected();
    const { description } = this.el;
    if (f) description.textContent = f.description || `Sample function ${f.name}.`;
    else if (!this.urn) description.textContent = "Paste a function URN: urn:fss:<region>:<project>:function:<package>:<name>:<version or alias>.";
    else if (!parseUrn(this.urn)) description.textContent = "This does not look like a function URN; the client will say what is wrong.";
    else description.textContent = "Custom function URN.";
  }

  notify() {
    this.lastNotified = this.urn;
    this.onChange(this.urn);
  }
}
