import type { ServiceRuntime } from '../edges';
import { formatRuntime } from '../format';
import { renderDot } from './dot';
import { renderHtml } from './html';
import { renderMermaid } from './mermaid';

/** The forms `nx-fleet graph` prints the runtime graph in. */
export const RUNTIME_FORMATS = ['text', 'json', 'mermaid', 'dot', 'html'] as const;
export type RuntimeFormat = (typeof RUNTIME_FORMATS)[number];

export function isRuntimeFormat(name: string): name is RuntimeFormat {
  return (RUNTIME_FORMATS as readonly string[]).includes(name);
}

const RENDERERS: Record<RuntimeFormat, (runtime: readonly ServiceRuntime[]) => string> = {
  text: formatRuntime,
  json: (runtime) => JSON.stringify(runtime, null, 2),
  mermaid: renderMermaid,
  dot: renderDot,
  html: renderHtml,
};

/** The runtime graph in one format, without a trailing newline. */
export function renderRuntime(format: RuntimeFormat, runtime: readonly ServiceRuntime[]): string {
  return RENDERERS[format](runtime);
}
