// The package version, read once: shown in /docs and the openapi document.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const APP_VERSION: string = (require('../../package.json') as { version: string }).version;
