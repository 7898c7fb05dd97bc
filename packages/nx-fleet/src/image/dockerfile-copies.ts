import picomatch from 'picomatch';

/** A source of a COPY or ADD that must come from the build context. */
export interface CopySource {
  /** 1-based line of the instruction in the Dockerfile. */
  line: number;
  instruction: string;
  source: string;
}

/**
 * The context sources of every COPY/ADD: not those copying from another stage or image
 * (`--from`), not URLs or git sources (ADD), not heredocs, and not sources the build expands
 * (`$VAR`), which only the engine can resolve.
 */
export function copySources(dockerfile: string): CopySource[] {
  const sources: CopySource[] = [];
  for (const { line, text } of instructions(dockerfile)) {
    const match = /^(COPY|ADD)\s+(.*)$/is.exec(text);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = argumentsOf(match[2]!);
    if (!args || args.some((arg) => /^--from(=|$)/i.test(arg)) || args.some((arg) => arg.startsWith('<<'))) continue;
    const paths = args.filter((arg) => !arg.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      if (source.includes('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith('git@')) continue;
      sources.push({ line, instruction: `${keyword} ${match[2]!.trim()}`, source });
    }
  }
  return sources;
}

/** The sources no file of the context provides: a path, a folder (any file under it) or a glob. */
export function missingSources(sources: readonly CopySource[], contextFiles: readonly string[]): CopySource[] {
  const files = new Set(contextFiles);
  return sources.filter(({ source }) => {
    const path = source.replace(/^\.?\//, '').replace(/\/+$/, '');
    if (path === '' || path === '.') return false;
    if (picomatch.scan(path).isGlob) {
      const matches = picomatch(path, { dot: true });
      return !contextFiles.some(
        (file) => matches(file) || file.split('/').some((_, i, parts) => matches(parts.slice(0, i + 1).join('/'))),
      );
    }
    return !files.has(path) && !contextFiles.some((file) => file.startsWith(`${path}/`));
  });
}

/** Instructions with their first line: continuation lines joined, comments and blank lines skipped. */
export function instructions(dockerfile: string): Array<{ line: number; text: string }> {
  const result: Array<{ line: number; text: string }> = [];
  const lines = dockerfile.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i]!;
    if (/^\s*(#|$)/.test(text)) continue;
    while (/\\\s*$/.test(text) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      text = `${text.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    result.push({ line: start + 1, text: text.trim() });
  }
  return result;
}

/** The exec (JSON array) form or the whitespace-separated form; undefined when it cannot be read. */
function argumentsOf(rest: string): string[] | undefined {
  const flags: string[] = [];
  let remainder = rest.trim();
  for (let flag = /^(--\S+)\s+/.exec(remainder); flag; flag = /^(--\S+)\s+/.exec(remainder)) {
    flags.push(flag[1]!);
    remainder = remainder.slice(flag[0].length);
  }
  if (remainder.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(remainder);
      return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? [...flags, ...parsed] : undefined;
    } catch {
      return undefined;
    }
  }
  return [...flags, ...remainder.split(/\s+/).filter(Boolean)];
}
