// Every catalogue error is documented in README.md with its code and HTTP status, and the catalogue
// builds valid JSON-RPC error objects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueError, ERRORS } from '../../src/rpc/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(Object.entries(ERRORS))(
    '%s is documented in README with its code and HTTP status',
    (name, entry) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README row for ${name}`).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(Number(cells[2])).toBe(entry.rpcCode);
      expect(Number(cells[3])).toBe(entry.httpStatus);
    },
  );

  it('documents no error that the catalogue does not have', () => {
    const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## Configuration'));
    const names = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('builds error objects with the code, the message and optional detail and data', () => {
    const obj = JSON.parse(catalogueError('UPSTREAMS_FAILED', 'chain x', { attempts: [] })) as {
      code: number;
      message: string;
      data: unknown;
    };
    expect(obj).toEqual({
      code: -32051,
      message: 'all upstream attempts failed: chain x',
      data: { attempts: [] },
    });
    const plain = JSON.parse(catalogueError('PARSE_ERROR')) as Record<string, unknown>;
    expect(plain).toEqual({ code: -32700, message: ERRORS.PARSE_ERROR.message });
  });
});
