// A synthetic city for the host checks (test/host/suite, test/host/driver.mjs, test/viewer/host-check.mjs):
// n×n rectangular buildings on a 20 m grid around Delft, one feature per line. Plain JS: the driver
// and host-check run without a TypeScript loader.
export function cityGeoJson(n, lon0 = 4.35, lat0 = 52.0) {
  const dLat = 20 / 111_320, dLon = 20 / (111_320 * Math.cos((lat0 * Math.PI) / 180));
  const lines = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const x = lon0 + i * dLon, y = lat0 + j * dLat, w = dLon * 0.6, h = dLat * 0.5;
    const ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]].map(([a, b]) => [+a.toFixed(7), +b.toFixed(7)]);
    lines.push(JSON.stringify({ type: "Feature", properties: { id: `b${i}_${j}`, height: 5 + ((i * 7 + j * 3) % 40) }, geometry: { type: "Polygon", coordinates: [ring] } }));
  }
  return `{"type":"FeatureCollection","features":[\n${lines.join(",\n")}\n]}\n`;
}
