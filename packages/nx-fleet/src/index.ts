import './nx/early-walk';
export { createNodes, createNodesV2 } from './nx/create-nodes';
export type { FleetPluginOptions } from './config/options';
export { postTasksExecution } from './nx/post-tasks';
