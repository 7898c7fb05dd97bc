import { describe, expect, it } from 'vitest';
import { CONTEXT_MODES, fleetBlockOf, GATE_NAMES, namedContextSource, parseServiceConfig } from './service-settings';

describe('parseServiceConfig', () => {
  it('returns an empty config and no problems when there is no fleet block', () => {
    expect(parseServiceConfig(undefined)).toEqual({ config: {}, problems: [] });
    expect(parseServiceConfig({})).toEqual({ config: {}, problems: [] });
  });

  it('keeps every valid field as given', () => {
    const raw = {
      dockerfile: '.deploy/api/Dockerfile',
      context: 'workspace',
      contextInclude: ['tsconfig.base.json', 'tools/**'],
      image: 'acme/api',
      enabled: false,
    };
    expect(parseServiceConfig(raw)).toEqual({ config: raw, problems: [] });
  });

  it.each(['pruned', 'workspace', 'project'] as const)('accepts context "%s"', (context) => {
    expect(parseServiceConfig({ context })).toEqual({ config: { context }, problems: [] });
  });

  it('accepts an empty contextInclude and enabled: true', () => {
    expect(parseServiceConfig({ contextInclude: [], enabled: true })).toEqual({
      config: { contextInclude: [], enabled: true },
      problems: [],
    });
  });

  it.each([
    ['a string', 'services/a/Dockerfile'],
    ['null', null],
    ['an array', [{ dockerfile: 'x' }]],
    ['a number', 1],
  ])('reports one problem on "fleet" when the block is %s', (_label, raw) => {
    expect(parseServiceConfig(raw)).toEqual({
      config: {},
      problems: [{ field: 'fleet', message: 'must be an object' }],
    });
  });

  it('drops each invalid field with a message naming what it must be, and keeps the valid ones', () => {
    const { config, problems } = parseServiceConfig({
      dockerfile: '',
      context: 'bogus',
      contextInclude: ['ok', 3],
      image: 'acme/api',
      enabled: 'no',
      ports: [8080],
    });
    expect(config).toEqual({ image: 'acme/api' });
    expect(problems).toEqual([
      { field: 'dockerfile', message: 'must be a non-empty string' },
      { field: 'context', message: 'must be one of pruned, workspace, project' },
      { field: 'contextInclude', message: 'must be an array of glob strings' },
      { field: 'enabled', message: 'must be true or false' },
      {
        field: 'ports',
        message:
          'is not an nx-fleet setting (dockerfile, context, contextInclude, buildTarget, image, target, buildArgs, buildContexts, enabled, gates)',
      },
    ]);
  });

  it.each([
    ['dockerfile', 42, 'must be a non-empty string'],
    ['image', '', 'must be a non-empty string'],
    ['image', null, 'must be a non-empty string'],
    ['context', 'Pruned', 'must be one of pruned, workspace, project'],
    ['context', undefined, 'must be one of pruned, workspace, project'],
    ['contextInclude', 'tsconfig.base.json', 'must be an array of glob strings'],
    ['enabled', 0, 'must be true or false'],
  ])('rejects %s = %j', (field, value, message) => {
    const valid = field === 'image' ? { enabled: true } : { image: 'kept' };
    expect(parseServiceConfig({ [field]: value, ...valid })).toEqual({ config: valid, problems: [{ field, message }] });
  });

  it.each([
    [{ scan: false }],
    [{ scan: true }],
    [{ contract: false }],
    [{ contract: true }],
    [{ scan: false, contract: false }],
    [{}],
  ])('accepts gates = %j', (gates) => {
    expect(parseServiceConfig({ gates, image: 'kept' })).toEqual({ config: { gates, image: 'kept' }, problems: [] });
  });

  const GATES_MESSAGE = 'must be an object like { "scan": false, "contract": false }';

  it.each([
    ['a non-boolean scan', { scan: 'no' }],
    ['a non-boolean contract', { contract: 'off' }],
    ['a non-boolean contract beside a valid scan', { scan: false, contract: 0 }],
    ['an unknown gate', { scans: false }],
    ['a misspelt contract gate', { contracts: false }],
    ['an unknown gate beside a valid one', { scan: false, sbom: false }],
    ['null', null],
    ['a boolean', false],
    ['a string', 'scan'],
  ])('rejects gates that is %s, keeping the other fields', (_label, gates) => {
    expect(parseServiceConfig({ gates, image: 'kept' })).toEqual({
      config: { image: 'kept' },
      problems: [{ field: 'gates', message: GATES_MESSAGE }],
    });
  });

  it('rejects gates that is an empty array', () => {
    expect(parseServiceConfig({ gates: [], image: 'kept' })).toEqual({
      config: { image: 'kept' },
      problems: [{ field: 'gates', message: GATES_MESSAGE }],
    });
  });

  it('rejects gates that is a non-empty array', () => {
    expect(parseServiceConfig({ gates: [false], image: 'kept' })).toEqual({
      config: { image: 'kept' },
      problems: [{ field: 'gates', message: GATES_MESSAGE }],
    });
  });
});

describe('buildContexts', () => {
  it('keeps workspace folders and docker-image references by name', () => {
    const buildContexts = { dist: 'packages/services/api/dist', base: 'docker-image://localhost/base:1', all: '.' };
    expect(parseServiceConfig({ buildContexts })).toEqual({ config: { buildContexts }, problems: [] });
  });

  it.each([
    ['an array', ['dist'], ''],
    ['a name with "="', { 'a=b': 'dist' }, '; "a=b" is no context name'],
    [
      'a git context',
      { src: 'https://github.com/acme/src.git' },
      '; "src": "https://github.com/acme/src.git" is neither',
    ],
    ['an OCI layout', { base: 'oci-layout:///tmp/layout' }, '; "base": "oci-layout:///tmp/layout" is neither'],
    ['another stage', { base: 'target:build' }, '; "base": "target:build" is neither'],
    ['a folder above the workspace', { up: '../shared' }, '; "up": "../shared" is neither'],
    ['an absolute folder', { abs: '/srv/assets' }, '; "abs": "/srv/assets" is neither'],
    ['a number', { n: 1 }, '; "n": 1 is neither'],
  ])('rejects %s, naming the entry, and keeps the other settings', (_label, buildContexts, entry) => {
    const { config, problems } = parseServiceConfig({ buildContexts, image: 'kept' });
    expect(config).toEqual({ image: 'kept' });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe('buildContexts');
    expect(problems[0]!.message).toContain(
      `must be an object of names to workspace folders or docker-image:// references, like { "assets": "dist/apps/web" }${entry}`,
    );
  });

  it('reads a value as docker-build passes it', () => {
    expect(namedContextSource('./dist/apps/web/')).toEqual({ kind: 'folder', path: 'dist/apps/web' });
    expect(namedContextSource('libs/../assets')).toEqual({ kind: 'folder', path: 'assets' });
    expect(namedContextSource('docker-image://node:20')).toEqual({ kind: 'image', ref: 'docker-image://node:20' });
    expect(namedContextSource('docker-image://')).toBeUndefined();
    expect(namedContextSource('libs/../../x')).toBeUndefined();
  });
});

describe('fleetBlockOf', () => {
  const fleet = { context: 'project' };

  it('reads metadata.fleet from a project.json', () => {
    expect(fleetBlockOf({ name: 'a', metadata: { fleet } }, 'project.json')).toBe(fleet);
  });

  it('reads nx.metadata.fleet from a package.json', () => {
    expect(fleetBlockOf({ name: '@acme/a', nx: { metadata: { fleet } } }, 'package.json')).toBe(fleet);
  });

  it('does not read the other file kind’s location', () => {
    expect(fleetBlockOf({ nx: { metadata: { fleet } } }, 'project.json')).toBeUndefined();
    expect(fleetBlockOf({ metadata: { fleet } }, 'package.json')).toBeUndefined();
  });

  it('returns undefined without a manifest, without metadata, or with non-object metadata', () => {
    expect(fleetBlockOf(undefined, 'project.json')).toBeUndefined();
    expect(fleetBlockOf(undefined, 'package.json')).toBeUndefined();
    expect(fleetBlockOf({ name: 'a' }, 'project.json')).toBeUndefined();
    expect(fleetBlockOf({ metadata: { technologies: ['docker'] } }, 'project.json')).toBeUndefined();
    expect(fleetBlockOf({ metadata: 'fleet' }, 'project.json')).toBeUndefined();
    expect(fleetBlockOf({ metadata: null }, 'project.json')).toBeUndefined();
    expect(fleetBlockOf({ nx: {} }, 'package.json')).toBeUndefined();
  });

  it('hands an invalid block over as it is, for parseServiceConfig to report', () => {
    expect(fleetBlockOf({ metadata: { fleet: 'yes' } }, 'project.json')).toBe('yes');
  });
});

describe('GATE_NAMES', () => {
  it('lists the gates a push can wait for: scan and contract', () => {
    expect(GATE_NAMES).toEqual(['scan', 'contract']);
  });
});

describe('CONTEXT_MODES', () => {
  it('lists the three modes, pruned first', () => {
    expect(CONTEXT_MODES).toEqual(['pruned', 'workspace', 'project']);
  });
});
