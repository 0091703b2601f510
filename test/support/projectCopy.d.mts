// Types of projectCopy.mjs for the TypeScript tests that use it.
export declare const ROOT: string;
export declare function projectCopy(dir: string, copy?: string[]): string;
export declare function buildIn(dir: string, production: boolean): string;
