import { describe, expect, it } from 'vitest';
import { onQueueWakeup, wakeQueue } from '../../src/infra/queue/wakeups.ts';

describe('queue wake-ups', () => {
  it('wakes every subscribed worker of that queue only, until it unsubscribes', () => {
    const woken: string[] = [];
    const stopA = onQueueWakeup('test.a', () => woken.push('a1'));
    const stopA2 = onQueueWakeup('test.a', () => woken.push('a2'));
    const stopB = onQueueWakeup('test.b', () => woken.push('b'));
    wakeQueue('test.a');
    expect(woken).toEqual(['a1', 'a2']);
    stopA();
    wakeQueue('test.a');
    wakeQueue('test.nobody');
    expect(woken).toEqual(['a1', 'a2', 'a2']);
    stopA2();
    stopB();
  });
});
