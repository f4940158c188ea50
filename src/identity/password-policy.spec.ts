import { contextWords, PASSWORD_MAX_LENGTH, passwordWeakness } from './password-policy';

const context = {
  email: 'alice.smith@acme-industries.com',
  organizationName: 'Acme Industries',
  serviceNames: ['b2b-commerce'],
};

describe('passwordWeakness (NIST SP 800-63B-4)', () => {
  it.each([
    ['14 characters', 'kx8#Qm2!vT9zLw'],
    ['empty', ''],
    ['14 characters of astral code points (counted as code points, not UTF-16 units)', '🦊'.repeat(14)],
  ])('refuses fewer than 15 characters: %s', (_case, password) => {
    expect(passwordWeakness(password, context)).toBe('must be at least 15 characters long');
  });

  it('accepts 64 characters and more, up to the maximum, never truncating', () => {
    const long = 'violet kettle orbit 7391 marmalade '.repeat(8).slice(0, PASSWORD_MAX_LENGTH);
    expect(long).toHaveLength(PASSWORD_MAX_LENGTH);
    expect(passwordWeakness(long.slice(0, 64), context)).toBeNull();
    expect(passwordWeakness(long, context)).toBeNull();
    expect(passwordWeakness(`${long}x`, context)).toBe(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  });

  it.each([
    ['all lower case letters and spaces', 'violet kettle orbit marmalade'],
    ['digits only, random', '830175296481739264'],
    ['no digit or symbol', 'CorrectHorseBatteryStapleViolet'],
    ['unicode', 'грузовик едет по мосту ночью'],
  ])('has no composition rules: accepts %s', (_case, password) => {
    expect(passwordWeakness(password, context)).toBeNull();
  });

  it.each([
    ['a common password padded by repetition', 'passwordpassword'],
    ['a common password with digits', 'password12345678'],
    ['a keyboard walk', 'qwertyuiopasdfgh'],
    ['a repeated character', 'aaaaaaaaaaaaaaaa'],
    ['a sequence', '123456789012345678'],
    ['a breached-style classic', 'iloveyou12345678'],
  ])('refuses %s as too easy to guess', (_case, password) => {
    expect(passwordWeakness(password, context)).toMatch(/^is too easy to guess/);
  });

  it.each([
    ['the email', 'alice.smith@acme-industries.com'],
    ['the local part of the email, repeated', 'alice.smithalice.smith'],
    ['the organization name', 'Acme Industries 2024'],
    ['the service name', 'b2b-commerce-2024!'],
  ])('refuses a password built from %s, saying so', (_case, password) => {
    expect(passwordWeakness(password, context)).toBe(
      'is too close to your email, your organization or the name of this service',
    );
  });

  it('stays cheap on crafted input (the estimator rates the first 64 characters)', () => {
    const started = Date.now();
    for (const crafted of ['a1'.repeat(128), '1'.repeat(256), '0l1!'.repeat(64)]) {
      expect(passwordWeakness(crafted, context)).toMatch(/^is too easy to guess/);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('splits the context into the words a password must not lean on', () => {
    expect(contextWords(context)).toEqual(
      expect.arrayContaining([
        'alice.smith@acme-industries.com',
        'alice',
        'smith',
        'acme',
        'industries',
        'b2b-commerce',
      ]),
    );
  });
});
