import type { ServiceLink, ServiceRuntime } from './edges';
import { viaLibrary } from './render/model';

/**
 * `nx-fleet graph`'s text: each service with its providers and consumers and the importing
 * file:line, then "via <library>" where the import sits in a library rather than in the consumer.
 */
export function formatRuntime(runtime: readonly ServiceRuntime[]): string {
  const link = (l: ServiceLink, consumer: string) =>
    [
      `    ${l.service}`,
      ...l.imports.map((i) => {
        const via = viaLibrary(consumer, i);
        return `      ${i.file}:${i.line}  ${JSON.stringify(i.specifier)}${via ? `  via ${via}` : ''}`;
      }),
    ].join('\n');
  const links = (title: string, list: readonly ServiceLink[], consumer: (l: ServiceLink) => string) =>
    `  ${title}:${list.length ? `\n${list.map((l) => link(l, consumer(l))).join('\n')}` : ' none'}`;
  return runtime
    .map((s) =>
      [
        s.service,
        links('providers', s.providers, () => s.service),
        links('consumers', s.consumers, (l) => l.service),
        ...(s.typesOnly ? [links('types only (no call)', s.typesOnly, () => s.service)] : []),
      ].join('\n'),
    )
    .join('\n');
}
