import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runOk } from './tools';
import type { TestWorkspace } from './workspace';

/**
 * A fake Pact Broker on a loopback port (no broker can run here) for e2e tests: it records every
 * request and answers what `answer` says. `halPactsForVerification` answers the way Pact's verifier
 * walks a real broker (index → pacts for verification → each pact → its provider → results).
 */
export interface BrokerRequest {
  method: string;
  /** As sent: the path and query, still percent-encoded. */
  url: string;
  body: string;
  /** The Authorization header, '' without one. */
  authorization: string;
}

/** [status, JSON document]; undefined: 404. */
export type BrokerAnswer = (request: BrokerRequest, base: string) => [number, unknown] | undefined;

export interface FakeBroker {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, to build URLs with credentials in them. */
  hostPort: string;
  requests: BrokerRequest[];
  close(): void;
}

export async function startFakeBroker(answer: BrokerAnswer): Promise<FakeBroker> {
  const requests: BrokerRequest[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, body, authorization: req.headers.authorization ?? '' };
      requests.push(request);
      const [status, document] = answer(request, url) ?? [404, {}];
      res.statusCode = status;
      res.setHeader('content-type', 'application/hal+json');
      res.end(JSON.stringify(document));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `http://${hostPort}`;
  return { url, hostPort, requests, close: () => server.close() };
}

/** One pact the broker holds: `version` goes into its URL as the pact's content version. */
export interface HeldPact {
  consumer: string;
  version: string;
  /** The pact file's content. */
  pact: unknown;
}

export const pactPath = (provider: string, held: Pick<HeldPact, 'consumer' | 'version'>) =>
  `/pacts/provider/${provider}/consumer/${held.consumer}/pact-version/${held.version}`;

/**
 * The HAL resources of a broker holding `pacts()` (read on every request, so a test can publish a new
 * version between runs) for `provider`; PUTs and POSTs (branches, tags, verification results) are
 * accepted with 201.
 */
export function halPactsForVerification(provider: string, pacts: () => readonly HeldPact[]): BrokerAnswer {
  return ({ method, url: path }, base) => {
    if (method === 'GET' && path === '/')
      return [
        200,
        {
          _links: {
            'pb:provider-pacts-for-verification': {
              href: `${base}/pacts/provider/{provider}/for-verification`,
              templated: true,
            },
          },
        },
      ];
    const forVerification = `/pacts/provider/${provider}/for-verification`;
    if (method === 'GET' && path === forVerification)
      return [200, { _links: { self: { href: `${base}${forVerification}` } } }];
    if (method === 'POST' && path === forVerification)
      return [
        200,
        {
          _embedded: {
            pacts: pacts().map((held) => ({
              shortDescription: `latest from ${held.consumer}`,
              verificationProperties: { pending: false, notices: [] },
              _links: {
                self: {
                  href: `${base}${pactPath(provider, held)}`,
                  name: `Pact between ${held.consumer} and ${provider}`,
                },
              },
            })),
          },
        },
      ];
    const held = pacts().find((candidate) => path === pactPath(provider, candidate));
    if (method === 'GET' && held)
      return [
        200,
        {
          ...(held.pact as Record<string, unknown>),
          _links: {
            'pb:publish-verification-results': { href: `${base}${path}/verification-results` },
            'pb:provider': { href: `${base}/pacticipants/${provider}` },
          },
        },
      ];
    if (method === 'GET' && path === `/pacticipants/${provider}`)
      return [
        200,
        {
          name: provider,
          _links: {
            self: { href: `${base}/pacticipants/${provider}` },
            'pb:branch-version': {
              href: `${base}/pacticipants/${provider}/branches/{branch}/versions/{version}`,
              templated: true,
            },
            'pb:version-tag': {
              href: `${base}/pacticipants/${provider}/versions/{version}/tags/{tag}`,
              templated: true,
            },
          },
        },
      ];
    if (method === 'PUT' || method === 'POST') return [201, {}];
    return undefined;
  };
}

/** Pact in a test workspace, as users install it: contract-verify loads the workspace's own (16.x runs on Node 20). */
export async function installPact(ws: TestWorkspace): Promise<void> {
  await runOk('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '@pact-foundation/pact@16.5.0'], {
    cwd: ws.root,
    env: ws.env(),
    timeoutMs: 300_000,
  });
}

/** A provider service whose `main.js` serves on PORT (default 3000, the port its Dockerfile exposes); returns its folder. */
export function addProvider(ws: TestWorkspace, name: string, main: string): string {
  const dir = `services/${name}`;
  return ws.addService(name, {
    main,
    dockerfile: [
      'FROM node:20',
      'WORKDIR /app',
      `COPY ${dir}/main.js ./`,
      'EXPOSE 3000',
      'USER node',
      'CMD ["node", "main.js"]',
      '',
    ].join('\n'),
  });
}
