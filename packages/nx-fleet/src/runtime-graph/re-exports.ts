import { literal } from '../text/reg-exp';

/**
 * Which module of a package declares a name its entry exports, following the entry's re-exports
 * (`export * from './lib/types/proto/auth'`, `export { A } from './a'`, `export * as auth from './auth'`):
 * jobber's `@jobber/grpc`, one package holding every service's generated gRPC client behind one
 * entry, whose `sdks` subpath keys name its modules. Read as text (comments removed), as generated
 * barrels are written; undefined where the name is not found (a default export, a name built at run time).
 */
export class ReExports {
  private readonly found = new Map<string, string | undefined>();

  constructor(
    /** A workspace file's text; undefined when unreadable. */
    private readonly read: (file: string) => string | undefined,
    /** A relative specifier from a workspace file, as a workspace file. */
    private readonly resolve: (specifier: string, from: string) => string | undefined,
  ) {}

  declaring(file: string, name: string, depth = 0): string | undefined {
    const key = `${file}\0${name}`;
    if (this.found.has(key)) return this.found.get(key);
    this.found.set(key, undefined); // a cycle of re-exports finds nothing
    const text = withoutComments(this.read(file) ?? '');
    const n = literal(name);
    const follow = (specifier: string, as = name) => {
      const target = specifier.startsWith('.') ? this.resolve(specifier, file) : undefined;
      return target && depth < 8 ? this.declaring(target, as, depth + 1) : undefined;
    };
    let module: string | undefined;
    const declared = new RegExp(
      `(?:^|[;\\n])\\s*export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:const|let|var|function\\*?|class|interface|type|enum|namespace)\\s+${n}(?![\\w$])`,
    );
    if (declared.test(text)) module = file;
    for (const match of text.matchAll(/\bexport\s*(?:type\s+)?\{([^}]*)\}\s*(?:from\s*['"]([^'"]+)['"])?/g)) {
      if (module) break;
      const source = sourceName(match[1]!, name);
      if (source)
        module = match[2] === undefined ? (importedInto(text, source, follow) ?? file) : follow(match[2], source);
    }
    const namespace = new RegExp(`\\bexport\\s*\\*\\s*as\\s+${n}\\s+from\\s*['"]([^'"]+)['"]`).exec(text)?.[1];
    if (!module && namespace) module = namespace.startsWith('.') ? this.resolve(namespace, file) : undefined;
    for (const match of text.matchAll(/\bexport\s*\*\s*from\s*['"]([^'"]+)['"]/g)) {
      if (module) break;
      module = follow(match[1]!);
    }
    this.found.set(key, module);
    return module;
  }
}

/** Where a name a file exports from its own list comes from, when the file imported it (`import { C } from './c'; export { C };`). */
function importedInto(
  text: string,
  local: string,
  follow: (specifier: string, as: string) => string | undefined,
): string | undefined {
  for (const match of text.matchAll(/\bimport\s*(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    const source = sourceName(match[1]!, local);
    if (source) return follow(match[2]!, source);
  }
  return undefined;
}

/** Of a braced list (`A, type B, C as D`), the name the entry that binds `name` takes from its module (`D`: `C`). */
function sourceName(list: string, name: string): string | undefined {
  for (const entry of list.split(',')) {
    const [source, bound = source] = entry
      .trim()
      .replace(/^type\s+/, '')
      .split(/\s+as\s+/);
    if (source && bound === name) return source;
  }
  return undefined;
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"])\/\/[^\n]*/g, '$1');
}
