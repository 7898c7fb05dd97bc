import { logger } from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecutorContext } from '@nx/devkit';
import { reportingFailures, serviceRefOf } from './run-executor';

describe('reportingFailures', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([true, false])('answers the verdict of the work (%s) and logs nothing', async (verdict) => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(await reportingFailures(async () => verdict)).toEqual({ success: verdict });
    expect(error).not.toHaveBeenCalled();
  });

  it('logs the message of a thrown error and fails', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(await reportingFailures(async () => Promise.reject(new Error('nx-fleet: no Dockerfile')))).toEqual({
      success: false,
    });
    expect(error).toHaveBeenCalledWith('nx-fleet: no Dockerfile');
  });

  it('logs anything else thrown as a string', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(await reportingFailures(() => Promise.reject('exit 2'))).toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('exit 2');
  });
});

describe('serviceRefOf', () => {
  it('reads the project the executor runs for from its context', () => {
    const graph = { nodes: {}, dependencies: {} };
    const context = {
      root: '/ws',
      projectName: 'orders',
      projectsConfigurations: { version: 2, projects: { orders: { root: 'services/orders' } } },
      projectGraph: graph,
    } as unknown as ExecutorContext;
    expect(serviceRefOf(context)).toEqual({
      workspaceRoot: '/ws',
      projectName: 'orders',
      projectRoot: 'services/orders',
      graph,
    });
  });
});
