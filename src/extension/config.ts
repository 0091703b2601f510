// Typed access to the `citymesh.*` settings. Nothing else reads the configuration.
import * as vscode from "vscode";
import { SETTING_NAMES, optionProblem } from "../core/optionTable";
import { settingDefaults, type CityMeshSettings } from "./options";
import type { PathSetting } from "./paths";
import { PATH_SETTINGS, pathValues } from "./pathPolicy";

export const SECTION = "citymesh";

export class Config {
  constructor(private readonly scope?: vscode.ConfigurationScope) {}

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, this.scope);
  }

  /** All build settings for this scope; a value the option table refuses (type, limits) is replaced by its default. */
  get settings(): CityMeshSettings {
    return this.read().settings;
  }

  /** The settings, and one line per setting whose value was refused and replaced by its default (the build log shows them). */
  read(): { settings: CityMeshSettings; ignored: string[] } {
    const out = settingDefaults() as Record<string, unknown>;
    const ignored: string[] = [];
    for (const name of SETTING_NAMES) {
      const raw = this.cfg.get<unknown>(name);
      const v = typeof raw === "string" ? raw.trim() : raw;
      if (v === undefined) continue;
      const problem = optionProblem(name, v);
      if (problem === undefined) out[name] = v;
      else ignored.push(`Setting ${SECTION}.${name} ignored: ${problem} Using the default, ${JSON.stringify(out[name])}.`);
    }
    return { settings: out as CityMeshSettings, ignored };
  }

  /**
   * Path settings whose effective value comes from the workspace (workspace file or folder settings).
   * These are what `checkPathsInsideWorkspace` must vet; a user-level value is the user's own choice.
   */
  get workspaceLevelPaths(): PathSetting[] {
    const out: PathSetting[] = [];
    for (const key of PATH_SETTINGS) {
      const i = this.cfg.inspect<string | string[]>(key);
      for (const value of pathValues(i?.workspaceFolderValue ?? i?.workspaceValue)) out.push({ name: `${SECTION}.${key}`, value, option: key });
    }
    return out;
  }

  static affectsBuild(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}
