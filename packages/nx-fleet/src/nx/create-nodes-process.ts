import { flushPendingSaves } from '../runtime-graph/worker-state';
import type { ApartQuestion } from './create-nodes-apart';
import { answerApart } from './create-nodes';

/**
 * The process of `askApart` (create-nodes-apart.ts): createNodes computed, its caches saved before
 * the answer leaves.
 */
process.once('message', (question: ApartQuestion) => {
  void answerApart(question).then((answer) => {
    flushPendingSaves();
    // Killed alone mid-way, the plugin's process hears nothing more: this one ends quietly either way.
    if (!process.connected) process.exit(0);
    process.send?.(answer, () => process.exit(0));
  });
});
