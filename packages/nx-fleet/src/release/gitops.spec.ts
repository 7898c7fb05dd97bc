import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bumpHelmValues, bumpKustomization, type Promoted } from './gitops';

const orders: Promoted = {
  service: 'orders',
  image: 'ghcr.io/acme/orders',
  digest: 'sha256:0rd3r5',
  contentTag: 'ct-orders-2',
};
const billing: Promoted = {
  service: 'billing',
  image: 'ghcr.io/acme/billing',
  digest: 'sha256:b1ll',
  contentTag: 'ct-billing-7',
};

type Image = { name: string; newName?: string; newTag?: string; digest?: string };
const imagesOf = (text: string): Image[] => (parse(text) as { images: Image[] }).images;

describe('bumpKustomization', () => {
  const kustomization = [
    '# Production overlay: reviewed by humans.',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - ../../base # the shared base',
    'images:',
    '  # the orders service',
    '  - name: ghcr.io/acme/orders',
    '    newTag: v1.2.3',
    '  - name: nginx # third party, pinned by hand',
    '    newTag: "1.27"',
    'namePrefix: prod-',
    '',
  ].join('\n');

  it('updates an entry matched by the full repository: newName and digest set, newTag removed', () => {
    const out = bumpKustomization(kustomization, [orders], 'deploy/prod/kustomization.yaml');
    expect(imagesOf(out)).toEqual([
      { name: 'ghcr.io/acme/orders', newName: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
      { name: 'nginx', newTag: '1.27' },
    ]);
  });

  it("updates an entry matched by the repository's last path segment", () => {
    const text = ['images:', '  - name: orders', '    newName: registry.old/orders', '    newTag: latest', ''].join(
      '\n',
    );
    expect(imagesOf(bumpKustomization(text, [orders], 'k.yaml'))).toEqual([
      { name: 'orders', newName: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
    ]);
  });

  it('does not match another repository that merely shares the last segment', () => {
    const text = ['images:', '  - name: docker.io/other/orders', '    newTag: "1"', ''].join('\n');
    expect(imagesOf(bumpKustomization(text, [orders], 'k.yaml'))).toEqual([
      { name: 'docker.io/other/orders', newTag: '1' },
      { name: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
    ]);
  });

  it('appends entries for images not listed yet', () => {
    const out = bumpKustomization(kustomization, [orders, billing], 'k.yaml');
    expect(imagesOf(out)).toEqual([
      { name: 'ghcr.io/acme/orders', newName: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
      { name: 'nginx', newTag: '1.27' },
      { name: 'ghcr.io/acme/billing', digest: 'sha256:b1ll' },
    ]);
  });

  it('keeps comments, unrelated entries and other keys', () => {
    const out = bumpKustomization(kustomization, [orders, billing], 'k.yaml');
    for (const comment of [
      '# Production overlay: reviewed by humans.',
      '# the shared base',
      '# the orders service',
      '# third party, pinned by hand',
    ])
      expect(out).toContain(comment);
    const data = parse(out) as Record<string, unknown>;
    expect(data).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../base'],
      namePrefix: 'prod-',
    });
    expect(Object.keys(data)).toEqual(['apiVersion', 'kind', 'resources', 'images', 'namePrefix']);
  });

  it('is idempotent for listed images: bumping twice gives the same text', () => {
    const once = bumpKustomization(kustomization, [orders], 'k.yaml');
    expect(bumpKustomization(once, [orders], 'k.yaml')).toBe(once);
  });

  it('gives an appended entry the same meaning on the next bump (which adds newName to it)', () => {
    const once = bumpKustomization(kustomization, [billing], 'k.yaml');
    const twice = bumpKustomization(once, [billing], 'k.yaml');
    expect(imagesOf(twice)[2]).toEqual({
      name: 'ghcr.io/acme/billing',
      newName: 'ghcr.io/acme/billing',
      digest: 'sha256:b1ll',
    });
    expect(bumpKustomization(twice, [billing], 'k.yaml')).toBe(twice);
  });

  it('creates images: when absent, as a block list after the other keys', () => {
    const text = ['resources:', '  - deployment.yaml', ''].join('\n');
    const out = bumpKustomization(text, [orders], 'k.yaml');
    expect(out).toBe(
      [
        'resources:',
        '  - deployment.yaml',
        'images:',
        '  - name: ghcr.io/acme/orders',
        '    digest: sha256:0rd3r5',
        '',
      ].join('\n'),
    );
  });

  it('keeps list items that are not maps and matches past them', () => {
    const text = ['images:', '  - legacy-string-entry', '  - name: orders', '    newTag: "2"', ''].join('\n');
    expect(parse(bumpKustomization(text, [orders], 'k.yaml'))).toEqual({
      images: ['legacy-string-entry', { name: 'orders', newName: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' }],
    });
  });

  it('treats an empty images: key as absent', () => {
    expect(imagesOf(bumpKustomization('images:\n', [orders], 'k.yaml'))).toEqual([
      { name: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
    ]);
  });

  it('works on an empty (or blank) file', () => {
    const expected = ['images:', '  - name: ghcr.io/acme/orders', '    digest: sha256:0rd3r5', ''].join('\n');
    expect(bumpKustomization('', [orders], 'k.yaml')).toBe(expected);
    expect(bumpKustomization('  \n\n', [orders], 'k.yaml')).toBe(expected);
  });

  it('leaves the file as it is when nothing is promoted (but still validates it)', () => {
    expect(parse(bumpKustomization(kustomization, [], 'k.yaml'))).toEqual(parse(kustomization));
  });

  it('rejects images that is not a list, naming the file', () => {
    expect(() => bumpKustomization('images:\n  orders: x\n', [orders], 'deploy/k.yaml')).toThrow(
      'nx-fleet: deploy/k.yaml: "images" is not a list.',
    );
    expect(() => bumpKustomization('images: ghcr.io/acme/orders\n', [orders], 'deploy/k.yaml')).toThrow(
      /deploy\/k\.yaml: "images" is not a list/,
    );
  });

  it('rejects invalid YAML, naming the file', () => {
    expect(() => bumpKustomization('images: [\n  - name: x\n', [orders], 'deploy/k.yaml')).toThrow(
      /^nx-fleet: deploy\/k\.yaml is not valid YAML \(.+\)\.$/,
    );
    expect(() => bumpKustomization('a: 1\na: 2\n', [orders], 'deploy/k.yaml')).toThrow(
      /deploy\/k\.yaml is not valid YAML/,
    );
  });

  it('rejects a document that is not a map, naming the file', () => {
    expect(() => bumpKustomization('- a\n- b\n', [orders], 'deploy/k.yaml')).toThrow(
      'nx-fleet: deploy/k.yaml is not a YAML map.',
    );
  });

  // A placeholder holding only comments is as good as an empty file.
  it('accepts a file holding only comments, like an empty one', () => {
    expect(imagesOf(bumpKustomization('# images are bumped by nx-fleet release\n', [orders], 'k.yaml'))).toEqual([
      { name: 'ghcr.io/acme/orders', digest: 'sha256:0rd3r5' },
    ]);
  });
});

describe('bumpHelmValues', () => {
  const values = [
    '# Helm values for the fleet',
    'global:',
    '  env: production',
    'orders:',
    '  replicas: 3 # scaled for Black Friday',
    '  image:',
    '    repository: ghcr.io/acme/orders',
    '    tag: old-tag',
    '    pullPolicy: IfNotPresent',
    'billing:',
    '  replicas: 1',
    '',
  ].join('\n');

  it('sets <service>.image.repository, tag and digest, keeping the other keys', () => {
    const data = parse(bumpHelmValues(values, [orders], 'values.yaml'));
    expect(data).toEqual({
      global: { env: 'production' },
      orders: {
        replicas: 3,
        image: {
          repository: 'ghcr.io/acme/orders',
          tag: 'ct-orders-2',
          pullPolicy: 'IfNotPresent',
          digest: 'sha256:0rd3r5',
        },
      },
      billing: { replicas: 1 },
    });
  });

  it('keeps comments', () => {
    const out = bumpHelmValues(values, [orders, billing], 'values.yaml');
    expect(out).toContain('# Helm values for the fleet');
    expect(out).toContain('# scaled for Black Friday');
  });

  it('creates the missing image map under an existing service, and a missing service', () => {
    const payments: Promoted = {
      service: 'payments',
      image: 'ghcr.io/acme/payments',
      digest: 'sha256:p4y',
      contentTag: 'ct-pay-1',
    };
    const data = parse(bumpHelmValues(values, [billing, payments], 'values.yaml')) as Record<string, unknown>;
    expect(data['billing']).toEqual({
      replicas: 1,
      image: { repository: 'ghcr.io/acme/billing', tag: 'ct-billing-7', digest: 'sha256:b1ll' },
    });
    expect(data['payments']).toEqual({
      image: { repository: 'ghcr.io/acme/payments', tag: 'ct-pay-1', digest: 'sha256:p4y' },
    });
    expect(data['orders']).toMatchObject({ image: { tag: 'old-tag' } });
  });

  it('works on an empty file', () => {
    expect(bumpHelmValues('', [orders], 'values.yaml')).toBe(
      [
        'orders:',
        '  image:',
        '    repository: ghcr.io/acme/orders',
        '    tag: ct-orders-2',
        '    digest: sha256:0rd3r5',
        '',
      ].join('\n'),
    );
  });

  it('is idempotent', () => {
    const once = bumpHelmValues(values, [orders, billing], 'values.yaml');
    expect(bumpHelmValues(once, [orders, billing], 'values.yaml')).toBe(once);
  });

  it('rejects a service key that is a scalar, naming the file and the service', () => {
    expect(() => bumpHelmValues('orders: enabled\n', [orders], 'deploy/values.yaml')).toThrow(
      'nx-fleet: deploy/values.yaml: "orders" is not a map; it cannot hold image settings.',
    );
    expect(() => bumpHelmValues('orders: [a]\n', [orders], 'deploy/values.yaml')).toThrow(/"orders" is not a map/);
  });

  it('rejects invalid YAML and a non-map document, naming the file', () => {
    expect(() => bumpHelmValues('orders: {\n', [orders], 'deploy/values.yaml')).toThrow(
      /^nx-fleet: deploy\/values\.yaml is not valid YAML/,
    );
    expect(() => bumpHelmValues('just a string\n', [orders], 'deploy/values.yaml')).toThrow(
      'nx-fleet: deploy/values.yaml is not a YAML map.',
    );
  });

  // An empty key is filled; a scalar gets an nx-fleet message (yaml's own error would crash the release after the pushes).
  it('fills an empty service key (`orders:` with no value)', () => {
    expect(parse(bumpHelmValues('orders:\n', [orders], 'values.yaml'))).toEqual({
      orders: { image: { repository: 'ghcr.io/acme/orders', tag: 'ct-orders-2', digest: 'sha256:0rd3r5' } },
    });
  });

  it('rejects a scalar <service>.image with an nx-fleet message naming the file', () => {
    expect(() => bumpHelmValues('orders:\n  image: nginx\n', [orders], 'deploy/values.yaml')).toThrow(
      /^nx-fleet: deploy\/values\.yaml/,
    );
  });
});
