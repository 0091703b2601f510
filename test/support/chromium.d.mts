// Types of chromium.mjs for the TypeScript tests.
export declare const CHROMIUM_ARGS: string[];
/** The browser binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export declare function chromiumPath(): string;
