// columnValues (tiles3d/features.ts) gives every column's cells for a batch of rows in one walk
// over each record's properties; it must equal cell(), asked column by column, on records of any shape.
import test from "node:test";
import assert from "node:assert/strict";
import { cell, columnValues, type FeatureColumn, type FeatureRow } from "../../../src/core/writers/tiles3d/features";

const prop = (name: string, type: FeatureColumn["type"], id = name.replace(/\W/g, "_")): FeatureColumn => ({ id, name, source: { property: name }, type, ...(type === "SCALAR" ? { componentType: "FLOAT64" } : {}) });
const columns: FeatureColumn[] = [
  { id: "buildingIndex", name: "building index", source: { own: "buildingIndex" }, type: "SCALAR", componentType: "UINT32" },
  { id: "featureId", name: "feature id", source: { own: "featureId" }, type: "STRING" },
  prop("height", "SCALAR"),
  prop("name", "STRING"),
  prop("name", "STRING", "name_2"), // the same property twice (a repeated --feature-properties name)
  prop("levels", "STRING"),
  prop("flag", "BOOLEAN"),
  prop("0", "STRING"),
  prop("length", "SCALAR"),
  prop("toString", "STRING"),
  prop("constructor", "STRING"),
  prop("__proto__", "STRING"),
  { id: "height_m", name: "height", source: { own: "height" }, type: "SCALAR", componentType: "FLOAT64" },
];

test("columnValues equals cell() for every column and row, whatever shape a record's properties have", () => {
  const records: FeatureRow["record"][] = [
    { b: 0, id: 7, properties: { height: 12.5, name: "Hall", levels: 3, flag: true } },
    { b: 1, id: "w1", properties: { flag: false, name: 42, height: "tall" } }, // keys in another order, other types
    { b: 2, id: null, properties: { height: Infinity, name: { nested: 1 }, levels: [1, 2], flag: null } }, // nothing scalar
    { b: 3, properties: {} },
    { b: 4, properties: null },
    { b: 5 },
    { b: 6, id: { a: 1 }, properties: ["x", "y"] as unknown as Record<string, unknown> }, // an array: "0" and length
    { b: 7, id: "", properties: "text" as unknown as Record<string, unknown> }, // a string
    { b: 8, properties: JSON.parse('{"__proto__": "p", "constructor": "c", "toString": 1, "length": 9, "0": "zero"}') },
    { b: 9, properties: Object.assign(Object.create(null), { name: "no prototype", height: 4 }) },
    undefined,
  ];
  const rows: FeatureRow[] = records.map((record, i) => ({ b: 100 + i, record, height: i * 1.5 }));
  const got = columnValues(columns, rows);
  assert.equal(got.length, columns.length);
  let defined = 0;
  for (const [k, c] of columns.entries()) {
    for (const [i, r] of rows.entries()) {
      assert.deepEqual(got[k][i], cell(c, r), `column ${c.id}, row ${i}`);
      if (got[k][i] !== undefined) defined++;
    }
  }
  assert.ok(defined > 40, `${defined} defined cells: the comparison is not all noData`);
  assert.equal(got[3][0], "Hall");
  assert.equal(got[4][0], "Hall");
  assert.equal(got[7][6], "x");
  assert.equal(got[8][6], 2);
  assert.equal(got[11][8], "p");
});

test("columnValues of no columns or no rows", () => {
  assert.deepEqual(columnValues([], [{ b: 0, height: 1 }]), []);
  assert.deepEqual(columnValues(columns, []), columns.map(() => []));
});
