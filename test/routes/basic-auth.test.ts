// Reading an API key from HTTP basic auth (RFC 7617): the password, whatever the user name.
import { describe, expect, it } from 'vitest';
import { basicAuthPassword } from '../../routes/basic-auth.js';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('basic-auth password', () => {
  it('is the part after the first colon, any user name (none included)', () => {
    expect(basicAuthPassword(basic('bitcoin:the-key'))).toBe('the-key');
    expect(basicAuthPassword(basic(':the-key'))).toBe('the-key');
    expect(basicAuthPassword(basic('u:pass:with:colons'))).toBe('pass:with:colons');
    expect(basicAuthPassword(basic('üser:pässword'))).toBe('pässword');
    expect(basicAuthPassword(`bAsIc  ${Buffer.from('u:k').toString('base64')} `)).toBe('k');
  });

  it('is nothing for another scheme, no colon, an empty password or no header', () => {
    expect(basicAuthPassword(undefined)).toBeUndefined();
    expect(basicAuthPassword('Bearer abc')).toBeUndefined();
    expect(basicAuthPassword('Basic')).toBeUndefined();
    expect(basicAuthPassword(basic('no-colon'))).toBeUndefined();
    expect(basicAuthPassword(basic('user:'))).toBeUndefined();
  });
});
