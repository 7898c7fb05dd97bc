import { startWorkspaceWalk } from './devkit-internal';

// Imported first by the plugin entry: the walk starts before the rest of the plugin loads.
startWorkspaceWalk();
