export * from './version.js';
export * from './capabilities.js';
export * from './upstream-version.js';
