/** Azure exports: read (inventory.ts), convert (convert-nsg.ts), layers for a flow (layers.ts). */
export { readAzureInventory, defaultRules } from './inventory.js';
export { AzureModel, type AzureLayers } from './layers.js';
export { NsgConverter, type NsgSource } from './convert-nsg.js';
export type * from './syntax.js';
