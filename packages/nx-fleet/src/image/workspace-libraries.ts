import { literal } from '../text/reg-exp';
import { parseYaml } from '../text/yaml';
import { LOCKFILES, type PackageManager } from './frozen-install';

/**
 * Nx prunes for its deploy output, where workspace libraries are copied to `workspace_modules/<name>`
 * beside a standalone manifest, and pnpm's injected ones (`injectWorkspacePackages`) to
 * `local_path_modules/<root>`, as any `file:` folder. A pruned context is repo-shaped instead: each
 * library sits at its own root, so the manifest and lockfile are pointed there (pure: text in, text out).
 */
export interface WorkspaceLibrary {
  /** Its package.json name. */
  name: string;
  /** Workspace-relative root, e.g. `libs/util`. */
  root: string;
  /** Its package.json version (yarn 1 locks a `file:` package with it). */
  version?: string;
  /** Its package.json dependencies (yarn 1 locks a `file:` package with them). */
  dependencies?: Record<string, string>;
}

interface Manifest {
  version?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * The pruned files with the service's workspace libraries referenced where the context holds
 * them. `rootYarnLock` is the workspace's own yarn.lock (yarn 2+ locks each workspace there).
 * Files for other package managers, or without libraries, come back unchanged.
 */
export function relocateWorkspaceLibraries(
  packageManager: PackageManager,
  files: Readonly<Record<string, string>>,
  libraries: readonly WorkspaceLibrary[],
  rootYarnLock?: string,
): Record<string, string> {
  const manifestText = files['package.json'];
  if (!manifestText) return { ...files };
  const manifest = JSON.parse(manifestText) as Manifest;
  const used = libraries.filter((library) => SECTIONS.some((section) => manifest[section]?.[library.name]));
  if (!used.length && packageManager !== 'pnpm') return { ...files };
  const out = { ...files };
  const write = () => (out['package.json'] = `${JSON.stringify(manifest, null, 2)}\n`);
  const pointAt = (prefix: string) => {
    for (const library of used)
      for (const section of SECTIONS)
        if (manifest[section]?.[library.name]) manifest[section]![library.name] = `${prefix}./${library.root}`;
  };
  // With no lockfile there is nothing to keep in step: the libraries are named where the context
  // holds them (chainchik's `"@cc/shared": "file:../../packages/shared"`, written for the service's
  // folder, would point above the context's root).
  if (files[LOCKFILES[packageManager]] === undefined) {
    if (!used.length) return out;
    pointAt('file:');
    write();
    return out;
  }
  switch (packageManager) {
    case 'pnpm': {
      const lock = files['pnpm-lock.yaml'];
      if (lock === undefined) return out;
      let relocated = lock;
      for (const library of libraries) {
        // The whole name only: `@acme/chat` must not rewrite `workspace_modules/@acme/chat-api`.
        relocated = replaceName(relocated, `workspace_modules/${library.name}`, library.root);
        // After the line above: Nx nests one in the other for an injected library the service names
        // itself (`local_path_modules/workspace_modules/@x/lib`).
        relocated = replaceName(relocated, `${LOCAL_PATH_MODULES}/${library.root}`, library.root);
        // The Dockerfile copies the library from its root: Nx's copy would be sent for nothing.
        for (const file of Object.keys(out))
          if (file.startsWith(`${LOCAL_PATH_MODULES}/${library.root}/`)) delete out[file];
      }
      out['pnpm-lock.yaml'] = withPeerSuffixes(relocated);
      pointAt('file:');
      write();
      return out;
    }
    case 'yarn-classic': {
      const lock = files['yarn.lock'];
      if (lock === undefined) return out;
      pointAt('file:');
      write();
      out['yarn.lock'] = addYarnClassicEntries(lock, used.map(yarnClassicEntry));
      return out;
    }
    case 'yarn-berry': {
      const lock = files['yarn.lock'];
      if (lock === undefined || rootYarnLock === undefined) return out;
      // Nx writes the service's version as its workspace range; yarn wants a version there.
      if (manifest.version?.startsWith('workspace:')) manifest.version = '0.0.0';
      manifest.workspaces = used.map((library) => library.root);
      write();
      const fixed = lock.replace(/"npm:workspace:/g, '"workspace:');
      const entries = used.flatMap((library) => berryWorkspaceEntry(rootYarnLock, library) ?? []);
      out['yarn.lock'] = addBerryEntries(fixed, entries);
      return out;
    }
    case 'npm': {
      const lock = files['package-lock.json'];
      if (lock === undefined) return out;
      const relocated = relocateNpmLock(lock, used);
      if (!relocated) return out;
      out['package-lock.json'] = relocated.lock;
      for (const library of used.filter((library) => relocated.moved.includes(library.name)))
        for (const section of SECTIONS)
          if (manifest[section]?.[library.name]) manifest[section]![library.name] = `file:./${library.root}`;
      write();
      return out;
    }
  }
}

/** Where Nx's deploy output copies the `file:` folders a pnpm lockfile installs. */
const LOCAL_PATH_MODULES = 'local_path_modules';

/**
 * Nx's importers name an injected library by its folder alone (`version: file:packages/lib`) where
 * the lockfile keys its snapshot with the peers pnpm resolved for it (`@x/lib@file:packages/lib(ms@2.1.3)`):
 * a real install finds no entry (ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY), though a `--lockfile-only`
 * check passes. The suffix is put back where one snapshot alone has it.
 */
function withPeerSuffixes(lock: string): string {
  let snapshots: string[];
  try {
    snapshots = Object.keys((parseYaml(lock) as { snapshots?: Record<string, unknown> } | null)?.snapshots ?? {});
  } catch {
    return lock;
  }
  const suffixed = new Map<string, string[]>();
  for (const key of snapshots) {
    const peers = /^(.+?@file:[^(]+)(\(.+\))$/.exec(key);
    if (peers) suffixed.set(peers[1]!, [...(suffixed.get(peers[1]!) ?? []), peers[2]!]);
  }
  let fixed = lock;
  for (const [bare, [suffix, ...others]] of suffixed) {
    if (others.length || snapshots.includes(bare)) continue;
    const version = bare.slice(bare.indexOf('@file:', 1) + 1);
    fixed = fixed.replace(
      new RegExp(`^(\\s+version: )${literal(version)}$`, 'gm'),
      (_, key: string) => `${key}${version}${suffix}`,
    );
  }
  return fixed;
}

/** `from` replaced where it ends a package name (what follows cannot go on with one). */
function replaceName(text: string, from: string, to: string): string {
  return text
    .split(from)
    .reduce((joined, part, i) => (i === 0 ? part : `${joined}${/^[\w.~-]/.test(part) ? from : to}${part}`), '');
}

interface NpmLock {
  packages?: Record<string, { dependencies?: Record<string, string>; [field: string]: unknown }>;
  [field: string]: unknown;
}

/**
 * npm: Nx links each library to `workspace_modules/<name>`, a folder only its deploy output has
 * (npm ci then leaves a dangling link, and `--dry-run` cannot tell). The library is linked at its
 * root instead, as npm locks a `file:` folder dependency, with its own version and dependencies.
 * Undefined when Nx's lockfile holds none of them (e.g. it returned the root lockfile).
 */
function relocateNpmLock(
  lockText: string,
  libraries: readonly WorkspaceLibrary[],
): { lock: string; moved: string[] } | undefined {
  const lock = JSON.parse(lockText) as NpmLock;
  const packages = lock.packages;
  if (!packages) return undefined;
  const moved: string[] = [];
  for (const library of libraries) {
    const from = `workspace_modules/${library.name}`;
    if (!packages[from]) continue;
    moved.push(library.name);
    for (const key of Object.keys(packages)) {
      if (key !== from && !key.startsWith(`${from}/`)) continue;
      const entry = packages[key]!;
      delete packages[key];
      packages[`${library.root}${key.slice(from.length)}`] =
        key === from
          ? {
              name: library.name,
              version: library.version ?? '0.0.0',
              ...(library.dependencies ? { dependencies: library.dependencies } : {}),
            }
          : entry;
    }
    packages[`node_modules/${library.name}`] = { resolved: library.root, link: true };
    const root = packages[''];
    for (const section of SECTIONS) {
      const deps = root?.[section] as Record<string, string> | undefined;
      if (deps?.[library.name]) deps[library.name] = `file:./${library.root}`;
    }
  }
  return moved.length ? { lock: `${JSON.stringify(lock, null, 2)}\n`, moved } : undefined;
}

function yarnClassicEntry(library: WorkspaceLibrary): string {
  const deps = Object.entries(library.dependencies ?? {});
  return [
    `"${library.name}@file:./${library.root}":`,
    `  version "${library.version ?? '0.0.0'}"`,
    ...(deps.length ? ['  dependencies:', ...deps.map(([name, range]) => `    ${quoteClassic(name)} "${range}"`)] : []),
  ].join('\n');
}

const quoteClassic = (name: string) => (/^[a-zA-Z][\w.-]*$/.test(name) ? name : `"${name}"`);

function addYarnClassicEntries(lock: string, entries: string[]): string {
  return `${lock.trimEnd()}\n\n${entries.join('\n\n')}\n`;
}

/** The library's block in the workspace's yarn.lock: the one resolving to `<name>@workspace:<root>`. */
export function berryWorkspaceEntry(rootYarnLock: string, library: WorkspaceLibrary): string | undefined {
  const resolution = `resolution: "${library.name}@workspace:${library.root}"`;
  return rootYarnLock.split(/\n\n+/).find((block) => block.includes(`\n  ${resolution}`));
}

/** Blocks in yarn's order: `__metadata` first, then by key as yarn sorts them (quotes aside). */
function addBerryEntries(lock: string, entries: string[]): string {
  const blocks = lock.trim().split(/\n\n+/);
  const header = blocks.filter((block) => block.startsWith('#') || block.startsWith('__metadata:'));
  const body = [...blocks.filter((block) => !header.includes(block)), ...entries.map((entry) => entry.trim())];
  const key = (block: string) => block.split('\n')[0]!.replace(/"/g, '');
  body.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return `${[...header, ...body].join('\n\n')}\n`;
}
