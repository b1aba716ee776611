/** The ports, one file per concern under ./ports/ (kept here so that importers need not change). */
export * from './ports/index.js';
