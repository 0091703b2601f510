// package.json's contributions that describe build options, rendered from the core's option
// table: the `citymesh.*` settings, the `citymesh` task definition and the settings that are
// restricted in untrusted workspaces. `npm run sync-options` writes them into package.json;
// test/unit/options checks that package.json holds exactly these. No vscode import.
import { FORMATS, OPTION_NAMES, SETTING_NAMES, jsonType, optionDefaults, optionSpec, type OptionName } from "../core/optionTable";

type Json = Record<string, unknown>;

/** JSON-schema type, limits and enum of an option (shared by settings and task properties). */
function schemaOf(name: OptionName): Json {
  const s = optionSpec(name);
  return {
    type: jsonType(name),
    ...(s.kind === "string[]" ? { items: { type: "string" } } : {}),
    ...(s.kind === "format" ? { enum: [...FORMATS] } : {}),
    ...(s.kind === "choice" ? { enum: [...s.choices!] } : {}),
    ...(s.minimum !== undefined ? { minimum: Math.min(s.minimum, s.auto ?? Infinity) } : {}),
    ...(s.maximum !== undefined ? { maximum: s.maximum } : {}),
  };
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");

/** contributes.configuration.properties */
export function settingsContribution(): Json {
  const out: Json = {}, defaults = optionDefaults();
  for (const name of SETTING_NAMES) {
    const s = optionSpec(name);
    out[`citymesh.${name}`] = {
      ...schemaOf(name),
      default: defaults[name],
      ...(s.enumDescriptions ? { enumDescriptions: [...s.enumDescriptions] } : {}),
      scope: s.setting!.scope,
      order: s.setting!.order,
      markdownDescription: s.detail ?? sentence(s.summary),
    };
  }
  return out;
}

/** The `citymesh` entry of contributes.taskDefinitions: the input and every option. */
export function taskDefinitionContribution(): Json {
  const properties: Json = {
    input: { type: "string", description: "GeoJSON file to build, e.g. ${workspaceFolder}/data/city.geojson. Relative paths are relative to the workspace folder." },
  };
  for (const name of OPTION_NAMES) properties[name] = { ...schemaOf(name), description: sentence(optionSpec(name).summary) };
  return { type: "citymesh", required: ["input"], properties };
}

/**
 * capabilities.untrustedWorkspaces.restrictedConfigurations: the machine-overridable settings
 * (paths that could leave the workspace, and the worker count), which VS Code then ignores in
 * workspace settings of an untrusted workspace.
 */
export function restrictedSettings(): string[] {
  return SETTING_NAMES.filter((n) => optionSpec(n).setting?.scope === "machine-overridable").map((n) => `citymesh.${n}`);
}
