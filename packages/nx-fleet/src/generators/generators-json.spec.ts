import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_MODES } from '../config/service-settings';
import { assertServiceName } from './workspace-setup';

const packageRoot = join(__dirname, '..', '..');

interface GeneratorEntry {
  factory: string;
  schema: string;
  description?: string;
  hidden?: boolean;
  aliases?: string[];
}

interface SchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
}

interface Schema {
  $id?: string;
  title?: string;
  description?: string;
  type?: string;
  properties: Record<string, SchemaProperty>;
  required?: string[];
}

const readJsonFile = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf-8')) as T;

const collection = readJsonFile<{ name: string; generators: Record<string, GeneratorEntry> }>(
  join(packageRoot, 'generators.json'),
);
const generators = Object.entries(collection.generators);
const schemaOf = (name: string) => readJsonFile<Schema>(join(packageRoot, collection.generators[name]!.schema));

describe('generators.json', () => {
  it('is the nx-fleet collection named in package.json, with the five generators', () => {
    expect(collection.name).toBe('nx-fleet');
    expect(readJsonFile<{ generators: string }>(join(packageRoot, 'package.json')).generators).toBe(
      './generators.json',
    );
    expect(Object.keys(collection.generators).sort()).toEqual(['adopt', 'ci', 'init', 'sdk', 'service']);
  });

  describe.each(generators)('%s', (name, entry) => {
    it('points at a factory that exists and exports a default generator function', async () => {
      const source = join(packageRoot, `${entry.factory}.ts`);
      expect(existsSync(source), source).toBe(true);
      const module = (await import(source)) as { default?: unknown };
      expect(typeof module.default).toBe('function');
    });

    it('points at a schema.json that exists, with a schema.d.ts next to it', () => {
      const schemaPath = join(packageRoot, entry.schema);
      expect(existsSync(schemaPath), schemaPath).toBe(true);
      expect(existsSync(schemaPath.replace(/\.json$/, '.d.ts'))).toBe(true);
    });

    it('has a description, and so has its schema and every property (Nx Console shows them)', () => {
      expect(entry.description?.trim()).toBeTruthy();
      const schema = schemaOf(name);
      expect(schema.type).toBe('object');
      expect(schema.$id?.trim()).toBeTruthy();
      expect(schema.title?.trim()).toBeTruthy();
      expect(schema.description?.trim()).toBeTruthy();
      expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
      for (const [property, definition] of Object.entries(schema.properties)) {
        expect(definition.description?.trim(), `${name}: ${property}`).toBeTruthy();
      }
    });

    it('declares in schema.d.ts exactly the properties of schema.json, and requires only declared ones', () => {
      const schema = schemaOf(name);
      const declaration = readFileSync(join(packageRoot, entry.schema.replace(/\.json$/, '.d.ts')), 'utf-8');
      const declared = [...declaration.matchAll(/^\s+(\w+)(\?)?:/gm)].map((m) => m[1]!);
      expect(declared.sort()).toEqual(Object.keys(schema.properties).sort());
      for (const required of schema.required ?? []) {
        expect(schema.properties[required], required).toBeDefined();
        expect(declaration).toMatch(new RegExp(`^\\s+${required}:`, 'm'));
      }
    });
  });

  it('gives the service schema the defaults the generator assumes', () => {
    const { properties } = schemaOf('service');
    expect(properties['port']?.default).toBe(3000);
    expect(properties['directory']?.default).toBe('services');
  });

  // The schema may leave names to assertServiceName (its message is clearer); a pattern, if any, must agree with it.
  it('has no service name pattern that disagrees with assertServiceName', () => {
    const source = schemaOf('service').properties['name']!.pattern;
    const pattern = source === undefined ? undefined : new RegExp(source);
    if (!pattern) return;
    for (const name of ['orders', 'order-history', 'v2', 'Orders', '1abc', 'a_b', '-x', 'x-', 'a--b']) {
      let valid = true;
      try {
        assertServiceName(name);
      } catch {
        valid = false;
      }
      expect(pattern.test(name), name).toBe(valid);
    }
  });

  it('offers exactly the context modes the plugin knows for adopt, with no default: unset, the plugin infers it', () => {
    const context = schemaOf('adopt').properties['context']!;
    expect([...context.enum!].sort()).toEqual([...CONTEXT_MODES].sort());
    expect(context.default).toBeUndefined();
  });
});
