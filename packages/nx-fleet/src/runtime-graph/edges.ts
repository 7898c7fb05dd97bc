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

/** One workspace project importing another at runtime (no type-only import, no test file). */
export interface CodeEdge {
  source: string;
  target: string;
}

export interface ServiceLink {
  service: string;
  imports: Array<{ file: string; line: number; specifier: string; via: string; sdk?: string }>;
}

export interface ServiceRuntime {
  service: string;
  providers: ServiceLink[];
  consumers: ServiceLink[];
  /** Services whose SDK types it imports without calling them: evidence, no link. Absent when none. */
  typesOnly?: ServiceLink[];
}

/**
 * Each service's code closure: itself, then the non-service projects it reaches through code edges
 * (sorted). Never through another service: a provider's image never holds a consumer's code, and
 * what the provider imports is the provider's business.
 */
export function codeClosures(services: readonly string[], codeEdges: readonly CodeEdge[]): Map<string, string[]> {
  const isService = new Set(services);
  const targets = groupBy(
    codeEdges,
    (edge) => edge.source,
    (edge) => edge.target,
  );
  const closures = new Map<string, string[]>();
  for (const service of services) {
    const reached = new Set([service]);
    const queue = [service];
    for (let project = queue.pop(); project !== undefined; project = queue.pop()) {
      for (const next of targets.get(project) ?? []) {
        if (isService.has(next) || reached.has(next)) continue;
        reached.add(next);
        queue.push(next);
      }
    }
    reached.delete(service);
    closures.set(service, [service, ...[...reached].sort()]);
  }
  return closures;
}

/**
 * The providers each service calls at runtime, with the evidence: a service calls P when a project
 * of its code closure (itself, or a library it reaches) imports P's SDK or folder; `via` names that
 * project. Every service is a key (with `[]` when it calls no one); providers and evidence sorted.
 */
export function runtimeProviders(
  services: readonly string[],
  imports: readonly RuntimeImport[],
  codeEdges: readonly CodeEdge[],
): Map<string, ServiceLink[]> {
  const byConsumer = groupBy(
    imports,
    (i) => i.consumer,
    (i) => i,
  );
  const result = new Map<string, ServiceLink[]>();
  for (const [service, closure] of codeClosures(services, codeEdges)) {
    const perProvider = new Map<string, ServiceLink['imports']>();
    for (const project of closure) {
      for (const i of byConsumer.get(project) ?? []) {
        if (i.provider === service) continue;
        const evidence = perProvider.get(i.provider) ?? [];
        if (!evidence.length) perProvider.set(i.provider, evidence);
        evidence.push({
          file: i.file,
          line: i.line,
          specifier: i.specifier,
          via: project,
          ...(i.sdk ? { sdk: i.sdk } : {}),
        });
      }
    }
    result.set(
      service,
      [...perProvider]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([provider, evidence]) => ({
          service: provider,
          imports: evidence.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
        })),
    );
  }
  return result;
}

/** Service-level view for `nx-fleet graph` and releases: each service's providers and, turned around, its consumers. */
export function serviceRuntime(
  services: readonly string[],
  imports: readonly RuntimeImport[],
  codeEdges: readonly CodeEdge[],
  typeOnly: readonly RuntimeImport[] = [],
): ServiceRuntime[] {
  const providers = runtimeProviders(services, imports, codeEdges);
  const typed = runtimeProviders(services, typeOnly, codeEdges);
  return [...services].sort().map((service) => ({
    service,
    providers: providers.get(service)!,
    ...(typed.get(service)!.length ? { typesOnly: typed.get(service)! } : {}),
    consumers: [...providers]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([consumer, links]) => {
        const link = links.find((l) => l.service === service);
        return link ? [{ service: consumer, imports: link.imports }] : [];
      }),
  }));
}

/** `values` grouped by `key`, in their order: one array per key, appended to (a core SDK has thousands of importers). */
function groupBy<T, V>(values: readonly T[], key: (value: T) => string, value: (value: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of values) {
    const group = groups.get(key(item));
    if (group) group.push(value(item));
    else groups.set(key(item), [value(item)]);
  }
  return groups;
}
