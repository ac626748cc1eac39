/**
 * The models the differential suite checks against the kernel: the simulator on generated rulesets
 * converted directly, and (once available) the product's whole path: iptables text → parser →
 * converter → simulator.
 */
import { astModel, type ModelUnderTest } from './model.js';

export async function differentialModels(): Promise<ModelUnderTest[]> {
  return [astModel()];
}
