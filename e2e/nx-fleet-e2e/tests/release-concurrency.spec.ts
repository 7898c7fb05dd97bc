import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startReleaseHarness,
  type LedgerJson,
  type ReleaseHarness,
} from '../../../tools/fleet-harness/src/release-setup';
import { runOk, type RunResult } from '../../../tools/fleet-harness/src/tools';

const SERVICES = ['alpha', 'beta'];
const LOCK = /^nx-fleet-release-production-fleet\.json-[0-9a-f]{12}\.lock$/;

describe('nx-fleet release: one release at a time on a checkout, and a ledger remote that moved on', () => {
  let h: ReleaseHarness;
  let source: string;
  const git = async (args: string[], cwd = h.ws.root) => (await runOk('git', args, { cwd })).stdout.trim();
  const locks = () => readdirSync(join(h.ws.root, '.git')).filter((file) => LOCK.test(file));
  const releaseCommits = async (since: string) =>
    (await git(['log', '--format=%s', `${since}..HEAD`])).split('\n').filter((s) => s.startsWith('release('));
  const expectSuccess = (result: RunResult) => {
    if (result.code !== 0) throw new Error(`release exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  };
  /** No conflict, no half-merged file, nothing left staged or modified. */
  const expectCleanTree = async () => {
    expect(await git(['status', '--porcelain'])).toBe('');
    expect(await git(['ls-files', '--unmerged'])).toBe('');
  };

  beforeAll(async () => {
    h = await startReleaseHarness('release-concurrency');
    for (const name of SERVICES) h.ws.addService(name);
    source = await h.ws.commit('two services');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('two releases at once: one records, the other waits for the lock and finds nothing left; one without --wait is refused naming the lock', async () => {
    const first = h.release(['--commit', '--wait', '300']);
    const second = h.release(['--commit', '--wait', '300']);
    for (let waited = 0; !locks().length; waited += 100) {
      if (waited > 60_000) throw new Error('no release took the lock within 60 s');
      await sleep(100);
    }
    const refused = await h.release(['--commit']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /nx-fleet release: another release \(pid \d+ on \S+, since \S+\) holds the production release lock \S+\/\.git\/nx-fleet-release-production-fleet\.json-[0-9a-f]{12}\.lock; wait for it to finish, then run the release again\. Nothing was built or recorded\./,
    );

    const results = await Promise.all([first, second]);
    for (const result of results) expectSuccess(result);
    // One of them released both services; the other re-read the ledger under the lock.
    expect(results.filter((r) => /Nothing to release\./.test(r.stdout))).toHaveLength(1);
    expect(await releaseCommits(source)).toEqual([`release(production): ${SERVICES.join(', ')}`]);
    const entries = h.ledger().environments['production']!;
    // The source commit, never the other release's ledger commit.
    for (const name of SERVICES) expect(entries[name]!.gitSha).toBe(source);
    expect(locks()).toEqual([]);
    await expectCleanTree();
  });

  describe('with a remote for the ledger that another clone pushes to in between', () => {
    let other: string;
    let branch: string;
    /** Another clone records `change` in the ledger and pushes it, after this checkout's last push. */
    const otherRecords = async (message: string, change: (ledger: LedgerJson) => void) => {
      await git(['pull', '--quiet', '--ff-only'], other);
      const file = join(other, 'deploy/fleet.json');
      const ledger = JSON.parse(readFileSync(file, 'utf8')) as LedgerJson;
      change(ledger);
      writeFileSync(file, `${JSON.stringify(ledger, null, 2)}\n`);
      await git(['commit', '--quiet', '-am', message], other);
      await git(['push', '--quiet', 'origin', `HEAD:${branch}`], other);
      return git(['rev-parse', 'HEAD'], other);
    };

    beforeAll(async () => {
      const remote = join(dirname(h.ws.root), 'ledger-remote.git');
      other = join(dirname(h.ws.root), 'other-clone');
      branch = await git(['symbolic-ref', '--short', 'HEAD']);
      await runOk('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, remote]);
      await git(['remote', 'add', 'origin', remote]);
      await git(['push', '--quiet', '-u', 'origin', branch]);
      await runOk('git', ['clone', '--quiet', '--branch', branch, remote, other]);
      await git(['config', 'user.name', 'other-release-bot'], other);
      await git(['config', 'user.email', 'other-release-bot@example.invalid'], other);
    });

    it('the push is rejected: the release re-records on the remote ledger and pushes, no conflict left', async () => {
      const theirs = await otherRecords('record staging elsewhere', (ledger) => {
        ledger.environments['staging'] = { alpha: ledger.environments['production']!['alpha']! };
      });
      const result = await h.release(['--force', '--commit']);
      expectSuccess(result);
      // Their commit, then ours on top of it, on both sides.
      expect(await git(['rev-parse', 'HEAD~1'])).toBe(theirs);
      expect(await git(['rev-parse', `origin/${branch}`])).toBe(await git(['rev-parse', 'HEAD']));
      const ledger = h.ledger();
      expect(Object.keys(ledger.environments['staging']!)).toEqual(['alpha']);
      for (const name of SERVICES) expect(ledger.environments['production']![name]!.gitSha).toBe(source);
      await expectCleanTree();
    });

    it('the remote recorded one of the same services meanwhile: a clean failure naming it, nothing recorded here', async () => {
      const before = await git(['rev-parse', 'HEAD']);
      const ledgerBefore = readFileSync(join(h.ws.root, 'deploy/fleet.json'), 'utf8');
      await otherRecords('beta released elsewhere', (ledger) => {
        ledger.environments['production']!['beta']!.gitSha = 'e'.repeat(40);
      });
      const result = await h.release(['--force', '--commit']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `nx-fleet release: another release recorded beta \\(eeeeeeeeeeee\\) in production on origin/${branch} meanwhile; nothing was recorded here \\(the images are pushed\\)\\. Pull and run the release again\\.`,
        ),
      );
      // The release commit undone: the checkout is where it was, its ledger unchanged.
      expect(await git(['rev-parse', 'HEAD'])).toBe(before);
      expect(readFileSync(join(h.ws.root, 'deploy/fleet.json'), 'utf8')).toBe(ledgerBefore);
      expect(locks()).toEqual([]);
      await expectCleanTree();
    });
  });
});
