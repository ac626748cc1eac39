/** AWS exports: read (inventory.ts), convert (convert-sg.ts, convert-nacl.ts), layers for a flow (layers.ts). */
export { readAwsInventory, knownGroups } from './inventory.js';
export { AwsModel, type AwsLayers } from './layers.js';
export { SgConverter } from './convert-sg.js';
export { NaclConverter } from './convert-nacl.js';
export type * from './syntax.js';
