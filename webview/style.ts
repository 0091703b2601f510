// Colours, materials and the theme-aware background. Colours are picked to stay apart in hue
// (ground green, walls pale, roofs red) so both people and the pixel test can tell them apart.
import { Color, DoubleSide, MeshBasicMaterial, MeshLambertMaterial, type Material } from "three";
import { SurfaceClass } from "./meshData";

export const CLASS_COLORS: Record<SurfaceClass, number> = {
  [SurfaceClass.Ground]: 0x6f9a4f,
  [SurfaceClass.Wall]: 0xe8e1d2,
  [SurfaceClass.Roof]: 0xc4472f,
  [SurfaceClass.Other]: 0xb4c2d0,
};
export const CLASS_NAMES: Record<SurfaceClass, string> = {
  [SurfaceClass.Ground]: "ground", [SurfaceClass.Wall]: "wall", [SurfaceClass.Roof]: "roof", [SurfaceClass.Other]: "surface",
};
export const HIGHLIGHT_COLOR = 0xffc21a;
/** Ramp for colouring by building height, low → high. */
export const HEIGHT_RAMP = [0x2c7bb6, 0x00a6ca, 0x90eb9d, 0xf9d057, 0xf29e2e, 0xd7191c];
const RAMP = HEIGHT_RAMP.map((h) => new Color(h));
export const HEIGHT_GROUND = 0x8a8a8a;

export interface Materials {
  /** Groups' materials (indexed by SurfaceClass) for a colour mode, lit or (wireframe) unlit. */
  get(mode: "class" | "height", wireframe: boolean): Material[];
  highlight: MeshBasicMaterial;
}

const CLASSES = [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof, SurfaceClass.Other];

export function createMaterials(): Materials {
  // flatShading derives face normals in the shader: no normal attribute, crisp building edges.
  // Wireframe lines have no face to derive a normal from, so they are drawn unlit.
  const lambert = (color: number, vertexColors = false) =>
    new MeshLambertMaterial({ color, flatShading: true, side: DoubleSide, vertexColors });
  const basic = (color: number, vertexColors = false) =>
    new MeshBasicMaterial({ color, side: DoubleSide, vertexColors, wireframe: true });
  const lit = CLASSES.map((c) => lambert(CLASS_COLORS[c]));
  const wire = CLASSES.map((c) => basic(CLASS_COLORS[c]));
  // By height, ground keeps a plain grey material: its vertices along the walls carry building
  // colours, which would otherwise bleed a halo into the ground around every building.
  const litH = lambert(0xffffff, true), wireH = basic(0xffffff, true);
  const litG = lambert(HEIGHT_GROUND), wireG = basic(HEIGHT_GROUND);
  const sets = {
    class: [lit, wire],
    height: [[litG, litH, litH, litH], [wireG, wireH, wireH, wireH]],
  };
  return {
    get: (mode, wireframe) => sets[mode][wireframe ? 1 : 0],
    highlight: new MeshBasicMaterial({ color: HIGHLIGHT_COLOR, side: DoubleSide, polygonOffset: true, polygonOffsetFactor: -2, polygonOffsetUnits: -4 }),
  };
}

/** Piecewise-linear ramp lookup, t in [0,1], written into out (linear 0..1 sRGB-ish values). */
export function rampColor(t: number, out: Color): Color {
  const x = Math.min(1, Math.max(0, t)) * (HEIGHT_RAMP.length - 1);
  const i = Math.min(HEIGHT_RAMP.length - 2, Math.floor(x));
  return out.copy(RAMP[i]).lerp(RAMP[i + 1], x - i);
}

/** Editor background from VS Code's CSS variables, or a body-class / OS fallback. */
export function themeBackground(): string {
  const css = getComputedStyle(document.body).getPropertyValue("--vscode-editor-background").trim();
  if (css) return css;
  const cls = document.body.classList;
  if (cls.contains("vscode-light") || cls.contains("vscode-high-contrast-light")) return "#f3f3f3";
  if (cls.contains("vscode-dark") || cls.contains("vscode-high-contrast")) return "#1e1e1e";
  return window.matchMedia?.("(prefers-color-scheme: light)").matches ? "#f3f3f3" : "#1e1e1e";
}

export function toCss(hex: number): string { return "#" + hex.toString(16).padStart(6, "0"); }
