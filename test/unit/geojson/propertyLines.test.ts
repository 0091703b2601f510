// The properties side file's lines made in bytes (geojson/propertyLines.ts) must be exactly
// JSON.stringify({b, f, id, properties}) of the parsed feature, whether the properties' text is
// copied from the file or serialised again: features written every which way are compared.
import test from "node:test";
import assert from "node:assert/strict";
import { canonicalKeys, numberedLines, propertiesSpan, PropertyLines } from "../../../src/core/geojson/propertyLines";

let seed = 20261202;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];

// Number texts: canonical ones and every way a number can be written otherwise.
const NUMBERS = ["0", "-0", "1", "-1", "7", "1.5", "-0.5", "1.50", "1.0", "1e3", "1E3", "2.5e+2", "1e-7", "0.000001", "0.0000001", "0.1", "3.14159", "100", "123456789012345", "1234567890123456", "12345678901234567890", "0.30000000000000004", "9007199254740993", "-12.75", "0.05"];
const CHARS = ["a", "b", "Z", " ", "é", "ß", "😀", "\u2028", "/", '"', "\\", "\n", "\t", "\u0001", "\u001f", "\u007f", "x"];
const KEYS = ["a", "name", "height", "b", "0", "1a", "-1", "__proto__", "constructor", "", "é", "properties", "addr:street", "x y"];
const space = () => (rand() < 0.5 ? "" : pick([" ", "  ", "\n", "\t", "\r\n "]));

function stringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const style = rand();
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c < 0x20) out += style < 0.5 && { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" }[c as 8] ? { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" }[c as 8] : "\\u" + c.toString(16).padStart(4, "0")[style < 0.8 ? "toLowerCase" : "toUpperCase"]();
    else if (ch === "/" && style < 0.3) out += "\\/";
    else if (c > 0x7f && c < 0x10000 && style < 0.15) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function valueText(depth: number): string {
  const r = rand();
  if (r < 0.3) return pick(NUMBERS);
  if (r < 0.6) return stringText(Array.from({ length: Math.floor(rand() * 6) }, () => pick(CHARS)).join(""));
  if (r < 0.7) return pick(["true", "false", "null"]);
  if (r < 0.85 && depth < 3) return "[" + space() + Array.from({ length: Math.floor(rand() * 4) }, () => valueText(depth + 1)).join(space() + "," + space()) + space() + "]";
  if (depth < 2) return objectText(depth + 1, 3);
  return pick(NUMBERS);
}

function objectText(depth: number, most: number): string {
  const members = Array.from({ length: Math.floor(rand() * (most + 1)) }, () => space() + stringText(pick(KEYS)) + space() + ":" + space() + valueText(depth) + space());
  return "{" + members.join(",") + (members.length ? "" : space()) + "}";
}

function featureText(): string {
  const members = [`"type":${space()}"Feature"`, `"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`];
  if (rand() < 0.7) members.push(`"id":${pick(['"w1"', "42", '"é/x"', "null", "[1]", "1.50"])}`);
  const r = rand();
  if (r < 0.75) members.push(`"properties":${space()}${objectText(0, 8)}`);
  else if (r < 0.8) members.push(`"properties":${pick(["null", "[1,2]", '"text"', "3"])}`);
  else if (r < 0.9) members.push(`"properties":${objectText(0, 3)}`, `"properties":${space()}${objectText(0, 5)}`); // the last one counts
  else if (r < 0.95) members.push(`"propert\\u0069es":${objectText(0, 3)}`); // an escaped name that spells it
  for (let i = members.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [members[i], members[j]] = [members[j], members[i]]; }
  return "{" + space() + members.join(space() + "," + space()) + space() + "}";
}

/** What the reader's serial path writes for a parsed feature (read.ts, validate.ts's id and properties). */
function expectedLine(f: Record<string, unknown>, b: number, index: number): string {
  const p = f.properties;
  const properties = p && typeof p === "object" && !Array.isArray(p) ? p : null;
  const pid = properties ? (properties as Record<string, unknown>).id : undefined;
  const id = typeof f.id === "string" || typeof f.id === "number" ? f.id : typeof pid === "string" || typeof pid === "number" ? pid : null;
  return JSON.stringify({ b, f: index, id, properties });
}

function linesOf(texts: string[], base: number, prefix = "  "): { got: string; want: string; copied: number } {
  // Features side by side in one buffer, as a range's bytes are, with separators between them.
  const starts: number[] = [], ends: number[] = [];
  let all = prefix;
  for (const t of texts) { starts.push(Buffer.byteLength(all)); all += t; ends.push(Buffer.byteLength(all)); all += pick([",", " ,\n  "]); }
  const bytes = Buffer.from(all);
  const lines = new PropertyLines(64); // small: the buffer must grow
  let want = "", copied = 0;
  texts.forEach((t, k) => {
    const f = JSON.parse(t) as Record<string, unknown>;
    const p = f.properties && typeof f.properties === "object" && !Array.isArray(f.properties) ? (f.properties as Record<string, unknown>) : null;
    const pid = p?.id;
    const id = typeof f.id === "string" || typeof f.id === "number" ? f.id : typeof pid === "string" || typeof pid === "number" ? pid : null;
    lines.add(bytes, starts[k], ends[k], 1000 + k, id, p);
    want += expectedLine(f, base + k, 1000 + k) + "\n";
    const span = propertiesSpan(bytes, starts[k], ends[k]);
    const c = span && canonicalKeys(bytes, span[0], span[1]);
    if (p && c && c.keys === Object.keys(p).length) copied++;
  });
  return { got: numberedLines(lines.finish(), base).toString("utf8"), want, copied };
}

test("lines made in bytes equal JSON.stringify's for features written every which way", () => {
  let copied = 0, total = 0;
  for (let round = 0; round < 60; round++) {
    const texts = Array.from({ length: 50 }, featureText);
    const r = linesOf(texts, round * 50);
    assert.equal(r.got, r.want, `round ${round}`);
    copied += r.copied;
    total += texts.length;
  }
  // Both ways are exercised: texts copied (with and without spaces) and texts serialised again.
  assert.ok(copied > total / 10 && copied < total / 2, `${copied} of ${total} copied`);
});

test("each kind of text that JSON.stringify writes differently is serialised again, and the line is still right", () => {
  const cases: [string, boolean][] = [
    ['{"a":1,"b":"x","c":[1,2.5,true,null]}', true],
    ['{ "a" : 1 , "b" : [ 1 , 2 ] }', true], // spaces only: copied without them
    ["{}", true],
    ['{"a":1.50}', false],
    ['{"a":1e3}', false],
    ['{"a":-0}', false],
    ['{"a":0.0000001}', false],
    ['{"a":0.000001}', true],
    ['{"a":1234567890123456}', false],
    ['{"a":"x\\/y"}', false],
    ['{"a":"\\u00e9"}', false],
    ['{"a":"\\u001F"}', false],
    ['{"a":"\\u001f"}', true],
    ['{"a":"\\u000a"}', false],
    ['{"a":"é😀\u2028"}', true],
    ['{"a":{"b":1}}', false],
    ['{"a":1,"a":2}', false],
    ['{"b":1,"0":2}', false],
    ['{"__proto__":1}', true],
  ];
  for (const [props, copy] of cases) {
    const text = `{"type":"Feature","properties":${props},"geometry":null}`;
    const r = linesOf([text], 7, "");
    assert.equal(r.got, r.want, props);
    assert.equal(r.copied, copy ? 1 : 0, `${props}: ${copy ? "copied" : "serialised again"}`);
  }
});

test("bytes that are not UTF-8 in a property are serialised again (as the parse saw them), not copied", () => {
  const head = Buffer.from('{"type":"Feature","properties":{"a":"x'), tail = Buffer.from('y"},"geometry":null}');
  const bytes = Buffer.concat([head, Buffer.from([0xff, 0xed, 0xa0, 0x80]), tail]);
  const span = propertiesSpan(bytes, 0, bytes.length)!;
  assert.ok(span);
  assert.equal(canonicalKeys(bytes, span[0], span[1]), undefined);
  const f = JSON.parse(bytes.toString("utf8")) as { properties: Record<string, unknown> };
  const lines = new PropertyLines(16);
  lines.add(bytes, 0, bytes.length, 3, null, f.properties);
  assert.equal(numberedLines(lines.finish(), 0).toString("utf8"), JSON.stringify({ b: 0, f: 3, id: null, properties: f.properties }) + "\n");
});

test("no lines: empty bytes, and heads numbered from the base", () => {
  const none = new PropertyLines(0).finish();
  assert.equal(none.ends.length, 0);
  assert.equal(numberedLines(none, 5).length, 0);
  const two = linesOf(['{"properties":{"k":1}}', '{"properties":{"k":2}}'], 99, "");
  assert.equal(two.got, '{"b":99,"f":1000,"id":null,"properties":{"k":1}}\n{"b":100,"f":1001,"id":null,"properties":{"k":2}}\n');
});
