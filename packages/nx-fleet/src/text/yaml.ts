/**
 * YAML's `parse`, loaded when first used: the package is ~70 modules, which cost every plugin worker
 * 15–35 ms of its start, and most graphs parse no YAML (a pnpm workspace's settings, a dev container's
 * compose file).
 */
export function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}
