/** GCP exports: read (read.ts), convert (convert.ts), the layer of an instance interface (layers.ts). */
export { readGcpInventory } from './read.js';
export { GcpConverter } from './convert.js';
export { GcpModel, type GcpLayers } from './layers.js';
export type * from './syntax.js';
