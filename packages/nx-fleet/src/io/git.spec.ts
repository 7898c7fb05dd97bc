import { describe, expect, it } from 'vitest';
import { shortSha, stripCredentials } from './git';

describe('stripCredentials', () => {
  it.each([
    ['https://user:token@github.com/acme/repo.git', 'https://github.com/acme/repo.git'],
    ['https://x-access-token:ghs_AbC123@github.com/acme/repo', 'https://github.com/acme/repo'],
    ['https://oauth2:glpat-xyz@gitlab.example.com/group/sub/repo.git', 'https://gitlab.example.com/group/sub/repo.git'],
    ['https://token@github.com/acme/repo.git', 'https://github.com/acme/repo.git'],
    ['HTTPS://user:pw@host.example/r.git', 'HTTPS://host.example/r.git'],
    ['http://user:pw@10.0.0.5:8080/r.git', 'http://10.0.0.5:8080/r.git'],
  ])('strips credentials from %s', (url, expected) => {
    expect(stripCredentials(url)).toBe(expected);
  });

  it.each([
    'git@github.com:acme/repo.git',
    'https://github.com/acme/repo.git',
    'https://github.com/acme/repo@v1',
    '/srv/git/repo.git',
    '',
  ])('leaves %s alone', (url) => {
    expect(stripCredentials(url)).toBe(url);
  });
});

describe('shortSha', () => {
  it('keeps the first 12 characters', () => {
    expect(shortSha('0123456789abcdef0123456789abcdef01234567')).toBe('0123456789ab');
  });

  it('leaves a shorter value as it is', () => {
    expect(shortSha('abc')).toBe('abc');
  });
});
