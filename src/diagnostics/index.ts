export * from './diagnostic.js';
export * from './source.js';
export * from './code-frame.js';
