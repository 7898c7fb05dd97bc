import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { fleetPluginOptions } from '../config/workspace-options';
import { nodePorts } from '../io/ports';
import type { VerifyResult } from '../supply-chain/verify';
import type { Command } from './command';

export const verifyCommand: Command = {
  summary: 'Check pushed images in the registry: a signature of the exact digest by your key, and an attached SBOM',
  help: [
    'Usage: nx-fleet verify [--project <name>]... [--image <registry/name@sha256:…>]... [--key <public key>] [--no-sbom] [--json]',
    '',
    'For every pushed service (dist/fleet/<root>/push.json), or the projects and images named,',
    'asks the registry: the content tag still names the pushed digest; a Sigstore bundle attached',
    'to the digest (an OCI referrer) is signed by the key and signs exactly that digest; an SBOM',
    '(CycloneDX or SPDX) is attached. Exits 1 when any check fails, 2 on bad input.',
    '',
    'Options:',
    '  --project <name>  A service to verify (repeatable); default: every pushed service',
    '  --image <ref>     A digest-pinned reference to verify (repeatable)',
    '  --key <file>      PEM public key; else FLEET_VERIFY_KEY (PEM or path), else signing.publicKey in nx.json',
    '  --no-sbom         Do not require an SBOM',
    '  --json            Print JSON',
  ].join('\n'),
  options: {
    project: { type: 'string', multiple: true },
    image: { type: 'string', multiple: true },
    key: { type: 'string' },
    'no-sbom': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values) {
    // Loaded here, not with the CLI: Sigstore's modules cost every other command ~0.5 s.
    const { formatVerifyTable, verifyImages, VerifyUsageError } = await import('../supply-chain/verify');
    let results: VerifyResult[];
    try {
      results = await verifyImages(
        {
          workspaceRoot,
          images: (values['image'] as string[] | undefined) ?? [],
          projects: (values['project'] as string[] | undefined) ?? [],
          key: values['key'] as string | undefined,
          configuredKey: fleetPluginOptions(workspaceRoot)?.signing?.publicKey,
          sbom: !values['no-sbom'],
        },
        {
          ...nodePorts(),
          projects: async () => Object.values((await createProjectGraphAsync({ exitOnError: false })).nodes),
        },
      );
    } catch (error) {
      if (!(error instanceof VerifyUsageError)) throw error;
      console.error(error.message.startsWith('nx-fleet') ? error.message : `nx-fleet verify: ${error.message}`);
      return 2;
    }
    console.log(values['json'] ? JSON.stringify(results, null, 2) : formatVerifyTable(results));
    return results.every((r) => r.ok) ? 0 : 1;
  },
};
