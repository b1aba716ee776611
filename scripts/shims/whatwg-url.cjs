/**
 * Stands in for the `whatwg-url` package in the production build (scripts/build.mjs). Its one user there,
 * node-fetch 2 (telegraf's HTTP client), reads `whatwgUrl.URL` only where Node has no URL of its own
 * (`Url.URL || whatwgUrl.URL`), and every Node this runs on has one; loading the package anyway compiled
 * its Unicode tables (tr46) at every start: ~35 ms and a few MB.
 */
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
