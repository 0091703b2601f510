// Khronos glTF-Validator on GLB bytes, for any test that writes GLB.
import { createRequire } from "node:module";

export interface ValidationMessage {
  code: string;
  message: string;
  severity: number;
  pointer?: string;
  offset?: number;
}

export interface ValidationReport {
  issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: ValidationMessage[] };
  info?: Record<string, unknown>;
}

const require = createRequire(__filename);
const validator = require("gltf-validator") as {
  validateBytes(data: Uint8Array, options?: { maxIssues?: number; uri?: string }): Promise<ValidationReport>;
};

/** Validates a GLB; the report's issues.numErrors must be 0 for a valid file. Severity 0 = error. */
export async function validateGlb(bytes: Uint8Array): Promise<ValidationReport> {
  return validator.validateBytes(new Uint8Array(bytes), { maxIssues: 200, uri: "city.glb" });
}

/** Error messages of a report, for assertion output. */
export const errorsOf = (r: ValidationReport): string[] =>
  r.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.pointer ?? ""} ${m.message}`);
