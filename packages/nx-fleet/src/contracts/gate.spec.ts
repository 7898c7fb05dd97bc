import { describe, expect, it } from 'vitest';
import { decideContractGate, type ContractGate, type ContractGateInput } from './gate';

describe('decideContractGate', () => {
  it.each<[string, ContractGateInput, ContractGate]>([
    [
      'no pacts and no broker: nothing to wait for',
      { repositoryPacts: 0, broker: false, enabled: true },
      { sources: [], pushWaits: false, skipped: false, brokerFingerprint: false },
    ],
    [
      'repository pacts: the push waits',
      { repositoryPacts: 2, broker: false, enabled: true },
      { sources: ['repository'], pushWaits: true, skipped: false, brokerFingerprint: false },
    ],
    [
      "a broker and no repository pacts: the push waits, the broker's pacts key the cache",
      { repositoryPacts: 0, broker: true, enabled: true },
      { sources: ['broker'], pushWaits: true, skipped: false, brokerFingerprint: true },
    ],
    [
      'both: the push waits for one verification of both',
      { repositoryPacts: 1, broker: true, enabled: true },
      { sources: ['repository', 'broker'], pushWaits: true, skipped: false, brokerFingerprint: true },
    ],
    [
      'repository pacts with the gate off: skipped, named',
      { repositoryPacts: 1, broker: false, enabled: false },
      { sources: ['repository'], pushWaits: false, skipped: true, brokerFingerprint: false },
    ],
    [
      'a broker with the gate off: skipped, named, and still never a stale cached verification',
      { repositoryPacts: 0, broker: true, enabled: false },
      { sources: ['broker'], pushWaits: false, skipped: true, brokerFingerprint: true },
    ],
    [
      'the gate off and nothing to verify: nothing skipped',
      { repositoryPacts: 0, broker: false, enabled: false },
      { sources: [], pushWaits: false, skipped: false, brokerFingerprint: false },
    ],
  ])('%s', (_case, input, gate) => {
    expect(decideContractGate(input)).toEqual(gate);
  });
});
