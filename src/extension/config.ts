// Typed access to the `citymesh.*` settings. Nothing else reads the configuration.
import * as vscode from "vscode";
import type { BuildFormat } from "../core/types";
import { FORMATS, SETTINGS_DEFAULTS, type CityMeshSettings } from "./options";
import type { PathSetting } from "./paths";
import { PATH_SETTINGS } from "./pathPolicy";

export const SECTION = "citymesh";

export class Config {
  constructor(private readonly scope?: vscode.ConfigurationScope) {}

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, this.scope);
  }

  private num(key: keyof CityMeshSettings, min: number): number {
    const v = this.cfg.get<number>(key);
    const d = SETTINGS_DEFAULTS[key] as number;
    return typeof v === "number" && Number.isFinite(v) && v >= min ? v : d;
  }

  private str(key: keyof CityMeshSettings): string {
    const v = this.cfg.get<string>(key);
    return typeof v === "string" ? v.trim() : (SETTINGS_DEFAULTS[key] as string);
  }

  private bool(key: keyof CityMeshSettings): boolean {
    const v = this.cfg.get<boolean>(key);
    return typeof v === "boolean" ? v : (SETTINGS_DEFAULTS[key] as boolean);
  }

  /** All build settings for this scope, out-of-range values replaced by their defaults. */
  get settings(): CityMeshSettings {
    const format = this.cfg.get<string>("format");
    const attrs = this.cfg.get<unknown>("heightAttributes");
    return {
      tileSize: this.num("tileSize", 1),
      workers: Math.floor(this.num("workers", 0)),
      useDiskStore: this.bool("useDiskStore"),
      scratchDir: this.str("scratchDir"),
      keepIntermediate: this.bool("keepIntermediate"),
      mergeBatchSize: Math.floor(this.num("mergeBatchSize", 2)),
      maxMeshSize: this.num("maxMeshSize", 0.01),
      minBuildingArea: this.num("minBuildingArea", 0),
      defaultHeight: this.num("defaultHeight", 0),
      heightAttributes: Array.isArray(attrs) && attrs.every((a) => typeof a === "string") ? (attrs as string[]) : SETTINGS_DEFAULTS.heightAttributes,
      levelHeight: this.num("levelHeight", 0.01),
      crs: this.str("crs"),
      dem: this.str("dem"),
      format: FORMATS.includes(format as BuildFormat) ? (format as BuildFormat) : SETTINGS_DEFAULTS.format,
      outputDir: this.str("outputDir"),
    };
  }

  /**
   * Path settings whose effective value comes from the workspace (workspace file or folder settings).
   * These are what `checkPathsInsideWorkspace` must vet; a user-level value is the user's own choice.
   */
  get workspaceLevelPaths(): PathSetting[] {
    const out: PathSetting[] = [];
    for (const key of PATH_SETTINGS) {
      const i = this.cfg.inspect<string>(key);
      const v = i?.workspaceFolderValue ?? i?.workspaceValue;
      if (typeof v === "string" && v.trim()) out.push({ name: `${SECTION}.${key}`, value: v.trim() });
    }
    return out;
  }

  static affectsBuild(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}
