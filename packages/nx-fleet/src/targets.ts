import type { TargetConfiguration } from '@nx/devkit';
import type { NormalizedFleetOptions } from './plugins/options';

export interface ServiceTargetsInput {
  projectRoot: string;
  dockerfile: string;
  options: NormalizedFleetOptions;
}

export function imageRecordPath(projectRoot: string): string {
  return `dist/fleet/${projectRoot}/image.json`;
}

export function pushRecordPath(projectRoot: string): string {
  return `dist/fleet/${projectRoot}/push.json`;
}

export function buildServiceTargets({ projectRoot, dockerfile, options }: ServiceTargetsInput): Record<string, TargetConfiguration> {
  return {
    [options.buildTargetName]: {
      executor: 'nx-fleet:docker-build',
      options: { dockerfile, context: projectRoot },
      // The build context is the project folder, so every file in it can reach the image.
      inputs: ['{projectRoot}/**/*', { env: 'FLEET_ENGINE' }],
      outputs: [`{workspaceRoot}/${imageRecordPath(projectRoot)}`],
      cache: true,
      metadata: {
        technologies: ['docker'],
        description: 'Build the service image; skipped when an image with the same content tag exists',
      },
    },
    [options.pushTargetName]: {
      executor: 'nx-fleet:docker-push',
      dependsOn: [options.buildTargetName],
      options: options.registry ? { registry: options.registry } : {},
      // Never cached: whether the registry still holds the image is only known by asking it.
      cache: false,
      outputs: [`{workspaceRoot}/${pushRecordPath(projectRoot)}`],
      metadata: {
        technologies: ['docker'],
        description: 'Push the image by content tag and git SHA; uploads nothing when the registry already has it',
      },
    },
  };
}
