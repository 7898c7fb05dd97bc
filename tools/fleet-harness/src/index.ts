/** The e2e suite's and the benchmarks' way to drive nx-fleet as a user does: workspaces, tools, servers. */
export * from './base-image';
export * from './dockerd';
export * from './engine-spy';
export * from './files';
export * from './nx-workspace';
export * from './oci';
export * from './registry';
export * from './remote-cache';
export * from './tools';
export * from './workspace';
