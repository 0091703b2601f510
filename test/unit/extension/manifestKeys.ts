// The path settings, restated without importing config.ts (which imports vscode).
export const PATH_SETTINGS_FOR_TEST = ["scratchDir", "outputDir", "dem"] as const;
