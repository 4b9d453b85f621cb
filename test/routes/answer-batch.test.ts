// Answers ready in one event-loop turn are ended together at its end, in the order they came.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { endInBatch } from '../../routes/answer-batch.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function response(log: string[], name: string, onEnd?: () => void): ServerResponse {
  return {
    end(body: string) {
      log.push(`${name}:${body}`);
      onEnd?.();
    },
  } as unknown as ServerResponse;
}

describe('endInBatch', () => {
  it('ends the answers of a turn together after it, in order', async () => {
    const log: string[] = [];
    endInBatch(response(log, 'a'), '1');
    endInBatch(response(log, 'b'), '2');
    expect(log).toEqual([]);
    await turn();
    expect(log).toEqual(['a:1', 'b:2']);
  });

  it('puts an answer ended while a batch is written into the next batch', async () => {
    const log: string[] = [];
    endInBatch(
      response(log, 'a', () => endInBatch(response(log, 'late'), '3')),
      '1',
    );
    await turn();
    expect(log).toEqual(['a:1']);
    await turn();
    expect(log).toEqual(['a:1', 'late:3']);
  });
});
