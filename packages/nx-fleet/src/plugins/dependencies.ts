import type { CreateDependencies } from '@nx/devkit';
import type { FleetPluginOptions } from './options';

/**
 * Runtime edges between services (consumer imports a provider's SDK) are added here by the
 * SDK-graph feature; until then nx-fleet adds no edges beyond Nx's own.
 */
export const createDependencies: CreateDependencies<FleetPluginOptions> = () => [];
