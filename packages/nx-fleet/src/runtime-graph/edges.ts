import { DependencyType, type RawProjectGraphDependency } from '@nx/devkit';

/** One import that makes `consumer` depend on service `provider` at runtime. */
export interface RuntimeImport {
  consumer: string;
  provider: string;
  file: string;
  line: number;
  specifier: string;
  /** The SDK project the import reaches, when it is not the provider's own folder. */
  sdk?: string;
}

/**
 * One edge per (consumer, provider) pair. Implicit: Nx caches static edges per file, so an
 * unchanged file would keep an edge to an SDK that moved or a service that was deleted; implicit
 * edges are recomputed on every graph, from nx-fleet's own per-file cache.
 */
export function runtimeEdges(imports: readonly RuntimeImport[]): RawProjectGraphDependency[] {
  const pairs = new Set(imports.filter((i) => i.consumer !== i.provider).map((i) => `${i.consumer}\0${i.provider}`));
  return [...pairs].sort().map((pair) => {
    const [source, target] = pair.split('\0') as [string, string];
    return { source, target, type: DependencyType.implicit };
  });
}

export interface ServiceLink {
  service: string;
  imports: Array<{ file: string; line: number; specifier: string; via: string; sdk?: string }>;
}

export interface ServiceRuntime {
  service: string;
  providers: ServiceLink[];
  consumers: ServiceLink[];
}

/**
 * Service-level view: a service consumes a provider when it, or a workspace library it depends on,
 * imports the provider's SDK. `libraryClosure(service)` lists the projects whose imports count for
 * it (itself and its non-service dependencies).
 */
export function serviceRuntime(
  services: readonly string[],
  imports: readonly RuntimeImport[],
  libraryClosure: (service: string) => readonly string[],
): ServiceRuntime[] {
  const byConsumer = new Map<string, RuntimeImport[]>();
  for (const i of imports) byConsumer.set(i.consumer, [...(byConsumer.get(i.consumer) ?? []), i]);
  const links = new Map<string, Map<string, ServiceLink['imports']>>();
  for (const service of services) {
    for (const project of libraryClosure(service)) {
      for (const i of byConsumer.get(project) ?? []) {
        if (i.provider === service) continue;
        const perProvider = links.get(service) ?? new Map<string, ServiceLink['imports']>();
        links.set(service, perProvider);
        perProvider.set(i.provider, [
          ...(perProvider.get(i.provider) ?? []),
          { file: i.file, line: i.line, specifier: i.specifier, via: project, ...(i.sdk ? { sdk: i.sdk } : {}) },
        ]);
      }
    }
  }
  return [...services].sort().map((service) => ({
    service,
    providers: [...(links.get(service) ?? new Map<string, ServiceLink['imports']>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([provider, imps]) => ({ service: provider, imports: imps })),
    consumers: [...links]
      .filter(([, perProvider]) => perProvider.has(service))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([consumer, perProvider]) => ({ service: consumer, imports: perProvider.get(service)! })),
  }));
}
