import type { ServiceRuntime } from './edges';

/** `nx-fleet graph`'s text: each service with its providers and consumers and the importing file:line. */
export function formatRuntime(runtime: readonly ServiceRuntime[]): string {
  const link = (l: ServiceRuntime['providers'][number]) =>
    `    ${l.service}\n${l.imports.map((i) => `      ${i.file}:${i.line}  ${JSON.stringify(i.specifier)}`).join('\n')}`;
  return runtime
    .map((s) =>
      [
        s.service,
        `  providers:${s.providers.length ? `\n${s.providers.map(link).join('\n')}` : ' none'}`,
        `  consumers:${s.consumers.length ? `\n${s.consumers.map(link).join('\n')}` : ' none'}`,
      ].join('\n'),
    )
    .join('\n');
}
