export { createNodes, createNodesV2 } from './plugins/plugin';
export { createDependencies } from './plugins/dependencies';
export type { FleetPluginOptions } from './plugins/options';
export { postTasksExecution } from './plugins/post-tasks';
