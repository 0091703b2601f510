// The DOM around the canvas (toolbar, counts, legend, properties, status). Built from
// media/viewer.html's skeleton; text only through textContent, styles through classes/CSSOM.
import type { BuildingInfo } from "./protocol";
import { SurfaceClass } from "./meshData";
import { CLASS_COLORS, CLASS_NAMES, HEIGHT_RAMP, toCss } from "./style";
import { countsText, type Counts } from "./counts";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer page lacks #${id}`);
  return el as T;
};

export interface UiHandlers {
  fit(): void; top(): void; colorMode(mode: "class" | "height"): void; wireframe(on: boolean): void;
}

export class Ui {
  readonly view = $<HTMLDivElement>("view");
  private readonly colorSelect = $<HTMLSelectElement>("colorMode");
  private readonly wireBox = $<HTMLInputElement>("wireframe");
  private readonly counts = $<HTMLDivElement>("counts");
  private readonly legend = $<HTMLDivElement>("legend");
  private readonly props = $<HTMLDivElement>("props");
  private readonly status = $<HTMLDivElement>("status");

  constructor(h: UiHandlers) {
    $("fit").addEventListener("click", () => h.fit());
    $("top").addEventListener("click", () => h.top());
    this.colorSelect.addEventListener("change", () => h.colorMode(this.colorSelect.value === "height" ? "height" : "class"));
    this.wireBox.addEventListener("change", () => h.wireframe(this.wireBox.checked));
    window.addEventListener("keydown", (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "f") h.fit();
      else if (e.key === "t") h.top();
      else if (e.key === "w") { this.wireBox.checked = !this.wireBox.checked; h.wireframe(this.wireBox.checked); }
    });
  }

  setToggles(mode: "class" | "height", wire: boolean): void { this.colorSelect.value = mode; this.wireBox.checked = wire; }

  setStatus(text: string, kind: "info" | "error" | "" = "info"): void {
    this.status.textContent = text;
    this.status.hidden = !text;
    this.status.classList.toggle("error", kind === "error");
  }

  setCounts(c: Counts): void {
    this.counts.textContent = countsText(c);
    this.counts.dataset.triangles = String(c.triangles);
    this.counts.dataset.vertices = String(c.vertices);
    if (c.tiles !== undefined) this.counts.dataset.tiles = String(c.tiles);
    else delete this.counts.dataset.tiles;
  }

  legendClasses(classes: SurfaceClass[]): void {
    this.legend.replaceChildren(...classes.map((c) => {
      const row = document.createElement("div");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = toCss(CLASS_COLORS[c]);
      row.append(sw, CLASS_NAMES[c]);
      return row;
    }));
  }

  legendHeight(min: number, max: number, perBuilding: boolean): void {
    const bar = document.createElement("div");
    bar.className = "ramp";
    bar.style.background = `linear-gradient(to right, ${HEIGHT_RAMP.map(toCss).join(", ")})`;
    const labels = document.createElement("div");
    labels.className = "ramp-labels";
    const lo = document.createElement("span"), hi = document.createElement("span");
    lo.textContent = `${min.toFixed(1)} m`; hi.textContent = `${max.toFixed(1)} m`;
    labels.append(lo, hi);
    const title = document.createElement("div");
    title.textContent = perBuilding ? "height above ground" : "elevation";
    this.legend.replaceChildren(title, bar, labels);
  }

  showBuilding(building: number, info: BuildingInfo | null, pending = false): void {
    const rows: [string, string][] = [["building", String(building)]];
    if (pending) rows.push(["", "loading properties…"]);
    else if (!info) rows.push(["", "no properties found"]);
    else {
      if (info.f !== undefined) rows.push(["feature", String(info.f)]);
      if (info.id !== undefined && info.id !== null) rows.push(["id", String(info.id)]);
      for (const [k, v] of Object.entries(info.properties ?? {})) rows.push([k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
    }
    const table = document.createElement("table");
    for (const [k, v] of rows) {
      const tr = table.insertRow();
      const th = document.createElement("th"); th.textContent = k;
      const td = tr.insertCell(); td.textContent = v;
      tr.prepend(th);
    }
    this.props.replaceChildren(table);
    this.props.hidden = false;
    this.props.dataset.building = String(building);
    this.props.dataset.state = pending ? "pending" : info ? "found" : "missing";
  }

  hideBuilding(): void { this.props.hidden = true; delete this.props.dataset.building; delete this.props.dataset.state; }
}
