import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { it } from 'vitest';
import serviceGenerator from './service/generator';

it('probe', async () => {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('package.json', JSON.stringify({ name: '@acme/source' }));
  tree.delete('tsconfig.base.json');
  await serviceGenerator(tree, { name: 'orders', port: 4000, skipFormat: true });
  await serviceGenerator(tree, { name: 'order-history', skipFormat: true });
  await serviceGenerator(tree, { name: 'web', consumes: 'orders,order-history', skipFormat: true });
  const dir = mkdtempSync(join(tmpdir(), 'fleet-tc-'));
  for (const c of tree.listChanges()) if (c.type !== 'DELETE') { mkdirSync(dirname(join(dir, c.path)), { recursive: true }); writeFileSync(join(dir, c.path), c.content!); }
  symlinkSync('/work/main/node_modules', join(dir, 'node_modules'));
  let t = Date.now();
  for (const p of ['services/web', 'services/orders/sdk', 'services/order-history']) {
    const cfgPath = join(dir, p, 'tsconfig.json');
    const cfg = ts.getParsedCommandLineOfConfigFile(cfgPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => console.log(d) })!;
    const program = ts.createProgram({ rootNames: cfg.fileNames, options: { ...cfg.options, noEmit: true } });
    const diags = ts.getPreEmitDiagnostics(program);
    console.log(p, cfg.fileNames.length, diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + ' @' + d.file?.fileName).join('\n'), Date.now() - t);
    t = Date.now();
  }
  console.log(dir);
}, 30000);
