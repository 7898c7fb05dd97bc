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
