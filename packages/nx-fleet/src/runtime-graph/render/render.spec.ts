import { describe, expect, it } from 'vitest';
import type { ServiceLink, ServiceRuntime } from '../edges';
import { formatRuntime } from '../format';
import { renderDot } from './dot';
import { escapeHtml, renderHtml } from './html';
import { isRuntimeFormat, renderRuntime, RUNTIME_FORMATS } from './index';
import { mermaidText, renderMermaid } from './mermaid';

type Evidence = ServiceLink['imports'][number];
const ev = (file: string, line: number, specifier: string, via: string, sdk?: string): Evidence => ({
  file,
  line,
  specifier,
  via,
  ...(sdk ? { sdk } : {}),
});

/** `nx-fleet graph`'s data from consumer → provider links, as edges.ts shapes it. */
const runtimeOf = (services: string[], links: Array<[string, string, Evidence[]]>): ServiceRuntime[] =>
  services.map((service) => ({
    service,
    providers: links.filter(([c]) => c === service).map(([, provider, imports]) => ({ service: provider, imports })),
    consumers: links.filter(([, p]) => p === service).map(([consumer, , imports]) => ({ service: consumer, imports })),
  }));

const ordersPays: [string, string, Evidence[]] = [
  'orders',
  'payments',
  [ev('services/orders/src/pay.ts', 12, '@acme/payments-sdk', 'orders')],
];
const paymentsRefunds: [string, string, Evidence[]] = [
  'payments',
  'orders',
  [ev('services/payments/src/refund.ts', 4, '@acme/orders-sdk', 'payments')],
];
const apiOrders: [string, string, Evidence[]] = [
  'api',
  'orders',
  [
    ev('services/api/src/main.ts', 3, '@acme/orders-sdk', 'api'),
    ev('libs/shared/src/index.ts', 1, '@acme/orders-sdk/v2', 'shared', 'orders-sdk'),
  ],
];
/** Two services that call each other through their SDKs. */
const mutual = runtimeOf(['orders', 'payments'], [ordersPays, paymentsRefunds]);
/** api imports orders' SDK itself and through the library `shared`; idle has no links. */
const library = runtimeOf(['api', 'idle', 'orders'], [apiOrders]);
/** Both. */
const fleet = runtimeOf(['api', 'idle', 'orders', 'payments'], [apiOrders, ordersPays, paymentsRefunds]);
/** Names and files with the characters every format must escape. */
const odd = runtimeOf(['a|b#c', 'we"b<&>'], [['we"b<&>', 'a|b#c', [ev('src/<x>&"y\'.ts', 7, 'sdk"\\`|#', 'we"b<&>')]]]);

const dotHeader = [
  'digraph runtime {',
  '  rankdir=LR;',
  '  node [shape=box, style=rounded, fontname="Helvetica"];',
  '  edge [fontname="Helvetica", fontsize=10];',
];

describe('mermaid and dot: exact output for small graphs', () => {
  it.each([
    [
      'mermaid',
      'draws both directions of a mutual pair, labelled with file:line',
      mutual,
      [
        'flowchart LR',
        '  s0["orders"]',
        '  s1["payments"]',
        '  s0 -->|"services/orders/src/pay.ts:12"| s1',
        '  s1 -->|"services/payments/src/refund.ts:4"| s0',
      ],
    ],
    [
      'mermaid',
      'lists every import of an edge with "via <library>", and a node for a service with no links',
      library,
      [
        'flowchart LR',
        '  s0["api"]',
        '  s1["idle"]',
        '  s2["orders"]',
        '  s0 -->|"services/api/src/main.ts:3<br/>libs/shared/src/index.ts:1 via shared"| s2',
      ],
    ],
    [
      'mermaid',
      'uses generated ids and entity codes, so no name breaks the syntax',
      odd,
      [
        'flowchart LR',
        '  s0["a#124;b#35;c"]',
        '  s1["we#34;b#60;#38;#62;"]',
        '  s1 -->|"src/#60;x#62;#38;#34;y\'.ts:7"| s0',
      ],
    ],
    [
      'dot',
      'draws both directions of a mutual pair, with the evidence as label and tooltip',
      mutual,
      [
        ...dotHeader,
        '  "orders";',
        '  "payments";',
        '  "orders" -> "payments" [label="services/orders/src/pay.ts:12", tooltip="orders -> payments\\nservices/orders/src/pay.ts:12  \\"@acme/payments-sdk\\""];',
        '  "payments" -> "orders" [label="services/payments/src/refund.ts:4", tooltip="payments -> orders\\nservices/payments/src/refund.ts:4  \\"@acme/orders-sdk\\""];',
        '}',
      ],
    ],
    [
      'dot',
      'says "via <library>" and names the SDK project in the tooltip; a service with no links is a lone node',
      library,
      [
        ...dotHeader,
        '  "api";',
        '  "idle";',
        '  "orders";',
        '  "api" -> "orders" [label="services/api/src/main.ts:3\\nlibs/shared/src/index.ts:1 via shared", tooltip="api -> orders\\nservices/api/src/main.ts:3  \\"@acme/orders-sdk\\"\\nlibs/shared/src/index.ts:1  \\"@acme/orders-sdk/v2\\"  via shared  (sdk orders-sdk)"];',
        '}',
      ],
    ],
    [
      'dot',
      'escapes quotes and backslashes in names, labels and tooltips',
      odd,
      [
        ...dotHeader,
        '  "a|b#c";',
        '  "we\\"b<&>";',
        '  "we\\"b<&>" -> "a|b#c" [label="src/<x>&\\"y\'.ts:7", tooltip="we\\"b<&> -> a|b#c\\nsrc/<x>&\\"y\'.ts:7  \\"sdk\\\\\\"\\\\\\\\`|#\\""];',
        '}',
      ],
    ],
  ] as const)('%s %s', (format, _, runtime, lines) => {
    expect(renderRuntime(format, runtime)).toBe(lines.join('\n'));
  });
});

describe('renderMermaid', () => {
  it('keeps a label short: three imports, then "+N more"', () => {
    const many = runtimeOf(['a', 'b'], [['a', 'b', [1, 2, 3, 4, 5].map((line) => ev('a.ts', line, 'b-sdk', 'a'))]]);
    expect(renderMermaid(many)).toContain('s0 -->|"a.ts:1<br/>a.ts:2<br/>a.ts:3<br/>+2 more"| s1');
    const four = runtimeOf(['a', 'b'], [['a', 'b', [1, 2, 3, 4].map((line) => ev('a.ts', line, 'b-sdk', 'a'))]]);
    expect(renderMermaid(four)).toContain('"a.ts:1<br/>a.ts:2<br/>a.ts:3<br/>a.ts:4"');
  });

  it('is only the header for no services', () => {
    expect(renderMermaid([])).toBe('flowchart LR');
  });

  it('turns line breaks into spaces and backticks and backslashes into entity codes', () => {
    expect(mermaidText('a\nb`c\\')).toBe('a b#96;c#92;');
  });
});

describe('renderHtml', () => {
  const page = renderHtml(fleet);

  it('is one self-contained page: inline style and script, nothing loaded, a policy that forbids loading', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page.endsWith('</html>')).toBe(true);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    expect(page).not.toMatch(/\s(src|href)=|<link|@import|url\((?!#)/);
    expect(page.replace('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:/);
  });

  it('shows every service and edge, the evidence on hover and in the table', () => {
    for (const name of ['api', 'idle', 'orders', 'payments']) expect(page).toContain(`>${name}</text>`);
    expect(page.match(/<g class="edge/g)).toHaveLength(3);
    expect(page).toContain(
      '<title>api → orders\nservices/api/src/main.ts:3  &#34;@acme/orders-sdk&#34;\nlibs/shared/src/index.ts:1  &#34;@acme/orders-sdk/v2&#34;  via shared  (sdk orders-sdk)</title>',
    );
    expect(page).toContain(
      '<td>api</td><td>orders</td><td><code>libs/shared/src/index.ts:1</code></td><td><code>&#34;@acme/orders-sdk/v2&#34;</code></td><td>shared</td><td>orders-sdk</td>',
    );
    expect(page).toContain('<tr><td>idle</td><td>none</td><td>none</td></tr>');
    expect(page).toContain('<title>orders\nproviders: payments\nconsumers: api, payments</title>');
  });

  it('draws the edge that closes a cycle dashed, right to left', () => {
    expect(page).toContain('<g class="edge back" data-edge="2"');
    expect(page.match(/class="edge back"/g)).toHaveLength(1);
  });

  it('routes an edge that skips a column around the services in between', () => {
    const skip = runtimeOf(
      ['api', 'orders', 'web'],
      [
        ['web', 'api', [ev('web.ts', 1, 'api-sdk', 'web')]],
        ['api', 'orders', [ev('api.ts', 1, 'orders-sdk', 'api')]],
        ['web', 'orders', [ev('web.ts', 2, 'orders-sdk', 'web')]],
      ],
    );
    const paths = [...renderHtml(skip).matchAll(/<path class="line" d="([^"]*)"/g)].map((m) => m[1]);
    expect(paths).toEqual([
      'M404,42 C474,42 474,72 544,72',
      'M144,72 C214,72 214,42 284,42',
      // web (column 0) → a waypoint below api (column 1) → orders (column 2); lone boxes sit mid-height
      'M144,72 C214,72 214,102 284,102 L404,102 C474,102 474,72 544,72',
    ]);
  });

  it('escapes names, files and specifiers everywhere', () => {
    const html = renderHtml(odd);
    expect(html).toContain('>we&#34;b&#60;&#38;&#62;</text>');
    expect(html).toContain('<code>src/&#60;x&#62;&#38;&#34;y&#39;.ts:7</code>');
    expect(html).toContain('<code>&#34;sdk\\&#34;\\\\`|#&#34;</code>');
    expect(html).not.toContain('<x>');
    expect(html).not.toContain('b<&>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('says so when there is nothing to draw', () => {
    const empty = renderHtml([]);
    expect(empty).toContain('<p>No services.</p>');
    expect(empty).toContain('<p>No runtime edges.</p>');
    expect(empty).not.toContain('<svg');
  });

  it('is the same page for the same graph, byte for byte', () => {
    expect(renderHtml(mutual)).toMatchSnapshot();
  });
});

describe('renderRuntime', () => {
  it('knows every format and nothing else', () => {
    expect(RUNTIME_FORMATS).toEqual(['text', 'json', 'mermaid', 'dot', 'html']);
    expect(RUNTIME_FORMATS.every(isRuntimeFormat)).toBe(true);
    expect(isRuntimeFormat('svg')).toBe(false);
  });

  it('renders each format with its renderer; json is the data itself', () => {
    expect(JSON.parse(renderRuntime('json', library)) as ServiceRuntime[]).toEqual(library);
    expect(renderRuntime('text', library)).toBe(formatRuntime(library));
    expect(renderRuntime('mermaid', library)).toBe(renderMermaid(library));
    expect(renderRuntime('dot', library)).toBe(renderDot(library));
    expect(renderRuntime('html', library)).toBe(renderHtml(library));
  });
});
