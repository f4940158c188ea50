import { WeakPasswordError } from './auth.errors';
import { PasswordsService } from './passwords.service';

describe('PasswordsService', () => {
  const passwords = new PasswordsService();
  const password = 'violet kettle orbit 7391 marmalade';

  it('hashes with argon2id and the OWASP parameters (19 MiB, 2 iterations, 1 lane)', async () => {
    const hash = await passwords.hash(password);
    const [, algorithm, version, parameters] = hash.split('$');
    expect({ algorithm, version }).toEqual({ algorithm: 'argon2id', version: 'v=19' });
    expect(Object.fromEntries(parameters.split(',').map((pair) => pair.split('=')))).toEqual({
      m: '19456',
      t: '2',
      p: '1',
    });
    expect(hash).not.toContain(password);
  });

  it('verifies the right password and only it', async () => {
    const hash = await passwords.hash(password);
    await expect(passwords.verify(hash, password)).resolves.toBe(true);
    await expect(passwords.verify(hash, `${password} `)).resolves.toBe(false);
    await expect(passwords.verify('not a hash', password)).resolves.toBe(false);
  });

  it('never truncates: passwords differing only after character 200 are different', async () => {
    const long = 'x'.repeat(200);
    const hash = await passwords.hash(`${long}-violet kettle`);
    await expect(passwords.verify(hash, `${long}-violet kettlf`)).resolves.toBe(false);
  });

  it('spends a verification when there is no account, and fails', async () => {
    await expect(passwords.verifyNothing(password)).resolves.toBe(false);
  });

  it('refuses a weak password with the reason, naming the field', () => {
    expect(() => passwords.ensureAcceptable('b2b-commerce-2024!', { email: 'bob@example.com' })).toThrow(
      WeakPasswordError,
    );
    try {
      passwords.ensureAcceptable('short', { email: 'bob@example.com' });
    } catch (error) {
      expect(error).toBeInstanceOf(WeakPasswordError);
      expect((error as WeakPasswordError).extensions).toEqual({
        errors: [{ field: 'password', message: 'must be at least 15 characters long' }],
      });
      expect((error as WeakPasswordError).message).not.toContain('short');
    }
  });
});
