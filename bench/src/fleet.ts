import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A realistic spread of service names; numbered beyond the list for large benchmark fleets. */
const NAMES = [
  'gateway',
  'orders',
  'payments',
  'inventory',
  'shipping',
  'users',
  'auth',
  'notifications',
  'search',
  'catalog',
  'reviews',
  'billing',
];

export function serviceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i < NAMES.length ? NAMES[i]! : `svc-${String(i + 1).padStart(3, '0')}`,
  );
}

/** The files of one small HTTP service with a health endpoint: what a team's service looks like to nx-fleet. */
/**
 * The files of one service. `installs` makes its image install its pruned npm dependencies with
 * `npm ci`, as real service builds do (the benchmark's services); the demo keeps them instant.
 */
export function serviceFiles(name: string, dir = `services/${name}`, installs = false): Record<string, string> {
  return {
    [`${dir}/project.json`]: `${JSON.stringify({ name, $schema: '../../node_modules/nx/schemas/project-schema.json', root: dir, tags: ['type:service'] }, null, 2)}\n`,
    [`${dir}/main.js`]: [
      "const http = require('node:http');",
      `const name = ${JSON.stringify(name)};`,
      ...(installs
        ? ["const isNumber = require('is-number');", "if (!isNumber(1)) throw new Error('is-number is broken');"]
        : []),
      'const server = http.createServer((req, res) => {',
      "  res.setHeader('content-type', 'application/json');",
      "  res.end(JSON.stringify(req.url === '/health' ? { status: 'ok', name } : { name }));",
      '});',
      'server.listen(Number(process.env.PORT ?? 3000));',
      "process.on('SIGTERM', () => server.close(() => process.exit(0)));",
      '',
    ].join('\n'),
    // The default build context is pruned and repo-shaped, like `turbo prune --docker` output.
    [`${dir}/Dockerfile`]: [
      'FROM node:20',
      'WORKDIR /app',
      ...(installs ? ['COPY package.json package-lock.json ./', 'RUN npm ci --omit=dev --no-audit --no-fund'] : []),
      `COPY ${dir}/main.js ./`,
      'USER node',
      'EXPOSE 3000',
      'CMD ["node", "main.js"]',
      '',
    ].join('\n'),
  };
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** The shapes of issue 16: what users' repositories look like to the runtime graph. */
export type RealShape = 'aliases' | 'core-sdk';

export interface RealShapedWorkspace {
  files: Record<string, string>;
  /** Every project: services carry a Dockerfile and the docker-build inference marks them. */
  projects: Array<{ name: string; root: string; tags: string[]; isService: boolean; packageName?: string }>;
  /** The plugin's `sdks` option for this shape. */
  sdks: Record<string, string>;
}

/**
 * A repository shaped like real ones, 4,000+ TypeScript files over 36 projects: 12 services of 200
 * files and 24 libraries of 70. Every file imports npm packages, neighbours by relative path and, as
 * in real code, workspace libraries. `aliases`: a tsconfig `paths` alias for every library (and the
 * services' SDKs), most files importing one or two. `core-sdk`: one core package, declared an SDK of
 * the gateway through `sdks`, imported by most files under its package name.
 */
export function realShapedWorkspace(shape: RealShape, services = 12, libraries = 24): RealShapedWorkspace {
  const files: Record<string, string> = {};
  const projects: RealShapedWorkspace['projects'] = [];
  const paths: Record<string, string[]> = {};
  const names = serviceNames(services);
  const libs = Array.from({ length: libraries }, (_, i) => `lib-${String(i).padStart(2, '0')}`);
  let seed = 1;
  const pick = <T>(xs: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return xs[seed % xs.length]!;
  };
  const chance = (p: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 < p;
  };
  const core = shape === 'core-sdk' ? '@acme/core' : '@acme/lib-00';
  files['packages/core/package.json'] = JSON.stringify({ name: '@acme/core', main: 'src/index.ts' });
  files['packages/core/project.json'] = JSON.stringify({ name: 'core', root: 'packages/core' });
  files['packages/core/src/index.ts'] =
    'export const core = { log: (m: string) => m };\nexport type Core = typeof core;\n';
  projects.push({ name: 'core', root: 'packages/core', tags: [], isService: false, packageName: '@acme/core' });
  paths['@acme/core'] = ['packages/core/src/index.ts'];

  const source = (index: number, count: number, own: string) => {
    const lines = [
      `// ${own}: module ${index}. Imports below are what real handlers pull in; don't reorder them.`,
      "import { Router } from 'express';",
      "import { z } from 'zod';",
      "import { join } from 'node:path';",
    ];
    if (chance(0.85)) lines.push(`import { core } from '${core}';`);
    if (chance(0.6)) lines.push(`import { helper as h${index} } from '@acme/${pick(libs)}';`);
    if (chance(0.2)) lines.push(`import type { Shape } from '@acme/${pick(libs)}';`);
    if (index > 0) lines.push(`import { run as previous } from './m${index - 1}';`);
    if (index + 1 < count && chance(0.3)) lines.push(`import type { Input } from './m${index + 1}';`);
    lines.push(
      '',
      `/** Validates the request and forwards it; see docs at "https://example.test/${own}". */`,
      `export const schema${index} = z.object({ id: z.string(), path: z.string().default(join('a', 'b')) });`,
      `export function run(input: unknown): string {`,
      `  const parsed = schema${index}.parse(input);`,
      `  const pattern = /^[a-z0-9-]+$/i;`,
      `  const label = \`\${'${own}'}:\${parsed.id} (\${pattern.test(parsed.id) ? 'ok' : "bad"})\`;`,
      `  return ${index > 0 ? 'previous(input) + ' : ''}label.length > 2 ? label : String(Router.length / 2);`,
      '}',
      '',
    );
    return lines.join('\n');
  };

  for (const lib of libs) {
    const root = `libs/${lib}`;
    files[`${root}/project.json`] = JSON.stringify({ name: lib, root });
    paths[`@acme/${lib}`] = [`${root}/src/index.ts`];
    files[`${root}/src/index.ts`] =
      "export { run as helper } from './m0';\nexport interface Shape { id: string }\nexport type Input = Shape;\n";
    for (let m = 0; m < 69; m++) files[`${root}/src/m${m}.ts`] = source(m, 69, lib);
    projects.push({ name: lib, root, tags: [], isService: false });
  }
  for (const name of names) {
    const root = `apps/${name}`;
    files[`${root}/project.json`] = JSON.stringify({ name, root });
    files[`${root}/Dockerfile`] = `FROM node:20\nCOPY ${root}/dist /app\n`;
    projects.push({ name, root, tags: [], isService: true });
    // Each service has an SDK library of its own, under an alias like every library.
    const sdkRoot = `libs/${name}-sdk`;
    files[`${sdkRoot}/project.json`] = JSON.stringify({
      name: `${name}-sdk`,
      root: sdkRoot,
      tags: [`fleet:sdk-of:${name}`],
    });
    files[`${sdkRoot}/src/index.ts`] = `export const ${name.replace(/-/g, '_')}Client = { get: (id: string) => id };\n`;
    paths[`@acme/${name}-sdk`] = [`${sdkRoot}/src/index.ts`];
    projects.push({ name: `${name}-sdk`, root: sdkRoot, tags: [`fleet:sdk-of:${name}`], isService: false });
    for (let m = 0; m < 199; m++) {
      let text = source(m, 199, name);
      if (m % 40 === 0)
        text = `import { ${pick(names).replace(/-/g, '_')}Client } from '@acme/${pick(names)}-sdk';\n${text}`;
      files[`${root}/src/m${m}.ts`] = text;
    }
    files[`${root}/src/main.ts`] = "import { run } from './m198';\nexport const main = () => run({ id: 'x' });\n";
  }
  files['tsconfig.base.json'] = JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }, null, 2);
  return { files, projects, sdks: shape === 'core-sdk' ? { core: names[0]! } : {} };
}

/**
 * The runtime-graph fleet of issue 4 (`bench/src/sdk-graph.ts`), parameterised for issue 16's 1,000-service
 * run: per service 12 service files and a nested 3-file SDK, every service calling two others through
 * `@acme/<svc>-sdk` path aliases. The generator is the same as sdk-graph's, file for file.
 */
export function sdkFleetFiles(
  services: number,
  filesPerService = 15,
): { files: Record<string, string>; paths: Record<string, string[]> } {
  const svc = (i: number) => `svc-${String(i).padStart(3, '0')}`;
  const files: Record<string, string> = {};
  const paths: Record<string, string[]> = {};
  for (let i = 0; i < services; i++) {
    const name = svc(i);
    const dir = `services/${name}`;
    const [a, b] = [svc((i + 1) % services), svc((i + 7) % services)];
    files[`${dir}/project.json`] = JSON.stringify({ name, root: dir });
    files[`${dir}/Dockerfile`] = `FROM node:20\nCOPY ${dir} /app\n`;
    files[`${dir}/sdk/project.json`] = JSON.stringify({ name: `${name}-sdk`, root: `${dir}/sdk` });
    files[`${dir}/sdk/src/index.ts`] = `export * from './client';\nexport * from './types';\n`;
    files[`${dir}/sdk/src/client.ts`] =
      `import type { Order } from './types';\nexport async function get(id: string): Promise<Order> {\n  return { id, total: 1 };\n}\n`;
    files[`${dir}/sdk/src/types.ts`] = `export interface Order {\n  id: string;\n  total: number;\n}\n`;
    paths[`@acme/${name}-sdk`] = [`${dir}/sdk/src/index.ts`];
    files[`${dir}/src/main.ts`] =
      `import { get as getA } from '@acme/${a}-sdk';\nimport { get as getB } from '@acme/${b}-sdk';\nimport { handler } from './handlers/h0';\nexport const main = () => [getA('1'), getB('2'), handler()];\n`;
    for (let h = 0; h < filesPerService - 4; h++) {
      const next =
        h + 1 < filesPerService - 4 ? `import { handler as next } from './h${h + 1}';\n` : 'const next = () => 0;\n';
      files[`${dir}/src/handlers/h${h}.ts`] =
        `${next}// Handler ${h}: validates, maps and forwards the request.\nexport function handler(): number {\n  const values = [1, 2, 3].map((v) => v * ${h});\n  return values.reduce((s, v) => s + v, 0) + next();\n}\n`;
    }
  }
  return { files, paths };
}
