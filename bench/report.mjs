// Turns results.json into chart.svg (hand-written SVG: one panel per comparison, bars at the
// median, whiskers from min to max, dashed target lines) and table.md (the targets, then every
// figure). Run alone to regenerate both from an existing file:
//   node bench/report.mjs [bench/results.json]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const KB = 1024;
const int = (v) => Math.round(v).toLocaleString("en-US");
const dec = (v, d) => v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (v) => (Math.abs(v) >= 100 ? int(v) : Math.abs(v) >= 10 ? dec(v, 1) : dec(v, 2));

/** A value with its unit, for the table and the chart. */
export function fmt(v, unit) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  switch (unit) {
    case "µs/call": return `${v >= 100 ? int(v) : dec(v, 1)} µs`;
    case "ops/s": case "req/s": return `${int(v)}/s`;
    case "ms": return `${ms(v)} ms`;
    case "s": return `${dec(v, 1)} s`;
    case "bytes": return `${dec(v / KB, 1)} KB`;
    case "×": return `${dec(v, 2)}×`;
    default: return `${v} ${unit}`;
  }
}
const bare = (v, unit) => fmt(v, unit).replace(/ ?(µs|ms|s|KB|×|\/s)$/, "");
const range = (f) => (f.min === f.max ? fmt(f.median, f.unit) : `${bare(f.min, f.unit)} – ${fmt(f.max, f.unit)}`);

// ---------------------------------------------------------------- table.md

function mdEscape(s) {
  return String(s).replace(/\|/g, "\\|");
}

export function table(results) {
  const { figures } = results;
  const when = results.generatedAt.replace("T", " ").replace(/\..*$/, " UTC");
  const m = results.machine;
  const lines = [];
  lines.push(
    `_${results.quick ? "Quick (smoke) run" : "Full run"} of ${when}: ${m.cpus} × ${m.cpuModel}, ${dec(m.memoryGiB, 0)} GiB, ` +
      `Node ${results.versions.node}, functiongraph-client ${results.versions.functiongraphClient}` +
      `${results.versions.commit ? ` (commit ${results.versions.commit})` : ""}. Medians over repeated runs, min – max beside them; ` +
      `a target is judged on the median. Generated from bench/results.json by bench/report.mjs._`,
    "",
  );
  const targeted = figures.filter((f) => f.target);
  const met = targeted.filter((f) => f.met).length;
  lines.push(`**Targets: ${met} of ${targeted.length} met.**`, "");
  lines.push("| target | figure | median | min – max | result |", "|---|---|---|---|---|");
  for (const f of targeted) {
    lines.push(`| ${mdEscape(f.target.text)} | ${mdEscape(f.label)} | ${fmt(f.median, f.unit)} | ${range(f)} | ${f.met ? "met" : "**missed**"} |`);
  }
  lines.push("", "Every figure:", "", "| figure | median | min – max | runs | target |", "|---|---|---|---|---|");
  let section = null;
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push(`| **${mdEscape(section)}** | | | | |`);
    }
    const t = f.target ? `${mdEscape(f.target.text)}: ${f.met ? "met" : "**missed**"}` : "";
    const note = f.note ? ` (${mdEscape(f.note)})` : "";
    lines.push(`| ${mdEscape(f.label)}${note} | ${fmt(f.median, f.unit)} | ${range(f)} | ${f.runs.length} | ${t} |`);
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------- chart.svg

const COLORS = { ours: "#d9480f", peer: "#495057", floor: "#adb5bd" };
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function chart(results) {
  const panels = new Map();
  for (const f of results.figures) {
    if (!f.chart || f.median === null) continue;
    if (!panels.has(f.chart.panel)) panels.set(f.chart.panel, []);
    panels.get(f.chart.panel).push(f);
  }
  const W = 1040;
  const LABEL_W = 300;
  const BAR_X = 16 + LABEL_W;
  const BAR_W = 390;
  const ROW = 24;
  const out = [];
  let y = 0;
  const text = (x, yy, s, attrs = "") => out.push(`<text x="${x}" y="${yy}" ${attrs}>${esc(s)}</text>`);

  // header and legend
  const m = results.machine;
  y += 26;
  text(16, y, `functiongraph-client benchmarks${results.quick ? " (quick smoke run: small N, not for quoting)" : ""}`, 'font-size="17" font-weight="600"');
  y += 20;
  text(16, y, `${results.generatedAt.slice(0, 16).replace("T", " ")} UTC · ${m.cpus} × ${m.cpuModel} · Node ${results.versions.node} · bars at the median, whiskers min–max over repeats`, 'fill="#495057"');
  y += 20;
  let lx = 16;
  for (const [kind, label] of [["ours", "functiongraph-client / fgs-emulator"], ["peer", "peer (official SDK, AWS)"], ["floor", "floor (raw fetch, bare node)"]]) {
    out.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${COLORS[kind]}"/>`);
    text(lx + 17, y, label);
    lx += 17 + label.length * 6.6 + 22;
  }
  out.push(`<line x1="${lx}" y1="${y - 12}" x2="${lx}" y2="${y + 3}" stroke="#c92a2a" stroke-width="2" stroke-dasharray="4 3"/>`);
  text(lx + 7, y, "target");
  y += 14;

  for (const [title, bars] of panels) {
    y += 26;
    text(16, y, title, 'font-size="13.5" font-weight="600"');
    y += 8;
    const unit = bars[0].unit;
    const scale = (v) => (unit === "bytes" ? v / KB : v);
    const top = Math.max(...bars.flatMap((b) => [b.max, b.chart.target ?? 0]).map(scale)) * 1.08 || 1;
    // A log axis where one bar would flatten the others (latency at 1 vs 64 connections).
    const log = bars.some((b) => b.chart.scale === "log");
    const lo = log ? 10 ** Math.floor(Math.log10(Math.min(...bars.map((b) => scale(b.min))))) : 0;
    const hi = log ? 10 ** Math.ceil(Math.log10(top)) : top;
    const x = log
      ? (v) => BAR_X + (Math.log10(Math.max(lo, scale(v)) / lo) / Math.log10(hi / lo)) * BAR_W
      : (v) => BAR_X + (Math.max(0, scale(v)) / top) * BAR_W;
    if (log) {
      for (let d = lo; d <= hi * 1.0001; d *= 10) {
        const gx = x(unit === "bytes" ? d * KB : d).toFixed(1);
        out.push(`<line x1="${gx}" y1="${y}" x2="${gx}" y2="${y + bars.length * ROW + 4}" stroke="#dee2e6"/>`);
        text(gx, y + bars.length * ROW + 16, `${d >= 1 ? d : d.toPrecision(1)} ${unit}`, 'text-anchor="middle" font-size="10" fill="#868e96"');
      }
    }
    out.push(`<line x1="${BAR_X}" y1="${y}" x2="${BAR_X}" y2="${y + bars.length * ROW + 4}" stroke="#868e96"/>`);
    for (const b of bars) {
      const cy = y + ROW / 2 + 2;
      text(BAR_X - 8, cy + 4, b.chart.bar, 'text-anchor="end"');
      out.push(`<rect x="${BAR_X}" y="${cy - 8}" width="${(x(b.median) - BAR_X).toFixed(1)}" height="16" fill="${COLORS[b.chart.kind] ?? COLORS.peer}" rx="2"/>`);
      if (b.min !== b.max) {
        const [x1, x2] = [x(b.min), x(b.max)];
        out.push(`<path d="M${x1.toFixed(1)} ${cy}H${x2.toFixed(1)}M${x1.toFixed(1)} ${cy - 5}v10M${x2.toFixed(1)} ${cy - 5}v10" stroke="#212529" stroke-width="1.3" fill="none"/>`);
      }
      const tgt = b.chart.target;
      if (tgt !== undefined && tgt !== null) {
        const tx = x(tgt).toFixed(1);
        out.push(`<line x1="${tx}" y1="${cy - 11}" x2="${tx}" y2="${cy + 11}" stroke="#c92a2a" stroke-width="2" stroke-dasharray="4 3"/>`);
      }
      const label = `${fmt(b.median, b.unit)}${b.min !== b.max ? `  (${bare(b.min, b.unit)}–${bare(b.max, b.unit)})` : ""}` +
        (tgt !== undefined && tgt !== null ? `  · target ${fmt(tgt, b.unit)}${b.target ? (b.met ? ": met" : ": missed") : ""}` : "");
      text(Math.max(x(b.max), x(b.median), tgt ? x(tgt) : 0) + 8, cy + 4, label, b.target && !b.met ? 'fill="#c92a2a"' : "");
      y += ROW;
    }
    y += log ? 18 : 4;
  }
  y += 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12" fill="#212529">`,
    `<rect width="${W}" height="${y}" fill="#ffffff"/>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}

export function writeReport(results, outDir) {
  writeFileSync(join(outDir, "chart.svg"), chart(results));
  writeFileSync(join(outDir, "table.md"), table(results));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "results.json"));
  writeReport(JSON.parse(readFileSync(file, "utf8")), dirname(file));
  console.error(`[bench] wrote chart.svg and table.md beside ${file}`);
}
