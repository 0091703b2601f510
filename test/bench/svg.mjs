// A small hand-written SVG line plot (no plotting library): peak RSS against city size,
// disk store vs in memory, from test/bench/run.mjs's results.
export function rssSvg(R) {
  const W = 640, H = 380, L = 70, Rm = 170, T = 40, B = 55;
  const pts = R.rss.map((r) => ({ n: r.n, disk: r.disk.rssMB, mem: r.memory.rssMB }));
  const xs = pts.map((p) => Math.log2(p.n));
  const x0 = Math.min(...xs), x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const ymax = niceCeil(Math.max(...pts.flatMap((p) => [p.disk, p.mem]), (R.tiny?.rssMB ?? 0)) * 1.1);
  const X = (n) => L + ((Math.log2(n) - x0) / (x1 - x0)) * (W - L - Rm);
  const Y = (v) => H - B - (v / ymax) * (H - T - B);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const line = (key, colour, dash) => `<polyline fill="none" stroke="${colour}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ""} points="${pts.map((p) => `${X(p.n).toFixed(1)},${Y(p[key]).toFixed(1)}`).join(" ")}"/>` +
    pts.map((p) => `<circle cx="${X(p.n).toFixed(1)}" cy="${Y(p[key]).toFixed(1)}" r="4" fill="${colour}"><title>${p.n} buildings: ${p[key].toFixed(0)} MB</title></circle>`).join("");
  const yticks = Array.from({ length: 6 }, (_, i) => (ymax / 5) * i);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="bold">Peak RSS of the citymesh CLI against city size</text>`,
    ...yticks.map((v) => `<line x1="${L}" x2="${W - Rm}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#ddd"/><text x="${L - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(0)}</text>`),
    ...pts.map((p) => `<line x1="${X(p.n).toFixed(1)}" x2="${X(p.n).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#eee"/><text x="${X(p.n).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${p.n.toLocaleString("en-US")}</text><text x="${X(p.n).toFixed(1)}" y="${H - B + 30}" text-anchor="middle" fill="#666">${(p.n / pts[0].n).toFixed(0)}×</text>`),
    `<text x="${(L + W - Rm) / 2}" y="${H - 8}" text-anchor="middle">buildings (log scale)</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">peak RSS, MB</text>`,
    R.tiny ? `<line x1="${L}" x2="${W - Rm}" y1="${Y(R.tiny.rssMB).toFixed(1)}" y2="${Y(R.tiny.rssMB).toFixed(1)}" stroke="#999" stroke-dasharray="2 3"/>` : "",
    R.rss.length ? `<line x1="${L}" x2="${W - Rm}" y1="${Y(pts[0].disk * 1.25).toFixed(1)}" y2="${Y(pts[0].disk * 1.25).toFixed(1)}" stroke="#2a7" stroke-dasharray="6 4" opacity="0.7"/>` : "",
    line("mem", "#d62", "7 4"), line("disk", "#27c"),
    `<g transform="translate(${W - Rm + 12} ${T + 10})">`,
    `<line x1="0" x2="24" y1="0" y2="0" stroke="#27c" stroke-width="2.5"/><text x="30" y="4">disk store (default)</text>`,
    `<line x1="0" x2="24" y1="20" y2="20" stroke="#d62" stroke-width="2.5" stroke-dasharray="7 4"/><text x="30" y="24">--no-disk-store</text>`,
    `<line x1="0" x2="24" y1="40" y2="40" stroke="#2a7" stroke-dasharray="6 4"/><text x="30" y="44">goal: 1.25 × disk at 1×</text>`,
    R.tiny ? `<line x1="0" x2="24" y1="60" y2="60" stroke="#999" stroke-dasharray="2 3"/><text x="30" y="64">1-building build</text>` : "",
    `</g>`,
    `<text x="${W - 8}" y="${H - 8}" text-anchor="end" fill="#666" font-size="10">${esc(`${R.machine.nproc} cores, Node ${R.machine.node}, ${R.started.slice(0, 10)}`)}</text>`,
    `</svg>`,
  ];
  return parts.join("\n") + "\n";
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
