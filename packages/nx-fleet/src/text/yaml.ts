/**
 * YAML's `parse`, loaded when first used: the package is ~70 modules, which cost every plugin worker
 * 15–35 ms of its start, and most graphs parse no YAML (a pnpm workspace's settings, a dev container's
 * compose file).
 */
export function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/**
 * The values of the mapping at `path`, each with the text it spans: a reader that matches patterns in
 * the text can then read one entry's text alone (a GitHub workflow's job). None where the text is no
 * valid YAML.
 */
export function yamlEntriesAt(text: string, path: readonly string[]): Array<{ value: unknown; text: string }> {
  const yaml = require('yaml') as typeof import('yaml');
  const document = yaml.parseDocument(text);
  if (document.errors.length > 0) return [];
  const map = document.getIn(path, true);
  if (!yaml.isMap(map)) return [];
  return map.items.flatMap(({ value }) =>
    yaml.isNode(value) && value.range
      ? [{ value: value.toJS(document) as unknown, text: text.slice(value.range[0], value.range[2]) }]
      : [],
  );
}
