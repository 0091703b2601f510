// Pixel classes of the viewer's colours (see webview/style.ts), by hue and saturation so that
// lighting (which scales brightness) does not change the class.
export type PixelClass = "ground" | "wall" | "roof" | "highlight" | "cool" | "background" | "other";

export function pixelClass(r: number, g: number, b: number): PixelClass {
  const max = Math.max(r, g, b), min = Math.min(r, g, b), v = max / 255, s = max === 0 ? 0 : (max - min) / max;
  let h = 0;
  if (max !== min) {
    if (max === r) h = (60 * ((g - b) / (max - min)) + 360) % 360;
    else if (max === g) h = 60 * ((b - r) / (max - min)) + 120;
    else h = 60 * ((r - g) / (max - min)) + 240;
  }
  if (s < 0.05 && (v < 0.2 || v > 0.93)) return "background"; // #1e1e1e dark, #f3f3f3 light
  if (s < 0.16 && v >= 0.35) return "wall";
  if (s > 0.35 && (h < 22 || h > 345)) return "roof";
  if (s > 0.6 && h >= 35 && h <= 52) return "highlight";
  if (s > 0.25 && h >= 70 && h <= 140) return "ground";
  if (s > 0.4 && h >= 185 && h <= 230) return "cool"; // the low end of the height ramp
  return "other";
}

/** Fractions of each class in flat r,g,b triples. */
export function classify(rgb: ArrayLike<number>): Record<PixelClass, number> {
  const out: Record<PixelClass, number> = { ground: 0, wall: 0, roof: 0, highlight: 0, cool: 0, background: 0, other: 0 };
  const n = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) out[pixelClass(rgb[i], rgb[i + 1], rgb[i + 2])]++;
  for (const k of Object.keys(out) as PixelClass[]) out[k] /= n;
  return out;
}
