import { randomBytes } from 'node:crypto';
import { InvalidEnvironmentError, validateEnvironment } from '../config/environment';
import { DEVELOPMENT_ENCRYPTION_KEYS } from './key-ring';

const OWN_KEY = randomBytes(32).toString('base64');
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal/app',
  JWT_SECRET: randomBytes(32).toString('hex'),
};

/** The problems with the encryption variables (production has other requirements, not tested here). */
function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError)
      return error.problems.filter((problem) => problem.startsWith('ENCRYPTION_'));
    throw error;
  }
}

describe('encryption keys in the environment', () => {
  it('defaults to the development key outside production', () => {
    const environment = validateEnvironment({ NODE_ENV: 'development' });
    expect(environment.ENCRYPTION_KEYS).toBe(DEVELOPMENT_ENCRYPTION_KEYS);
    expect(environment.ENCRYPTION_KEY_ID).toBe('dev');
  });

  it('refuses production with the development key, alone or kept in a ring, without echoing it', () => {
    const developmentMaterial = DEVELOPMENT_ENCRYPTION_KEYS.split(':')[1];
    const rings: Record<string, string>[] = [
      {},
      { ENCRYPTION_KEYS: `k2:${OWN_KEY},old:${developmentMaterial}`, ENCRYPTION_KEY_ID: 'k2' },
    ];
    for (const keys of rings) {
      const problems = problemsOf({ ...PRODUCTION, ...keys });
      expect(problems).toEqual(['ENCRYPTION_KEYS: must not contain the development key in production']);
      expect(problems.join('\n')).not.toContain(developmentMaterial);
    }
  });

  it('accepts production with keys of its own', () => {
    expect(problemsOf({ ...PRODUCTION, ENCRYPTION_KEYS: `k1:${OWN_KEY}`, ENCRYPTION_KEY_ID: 'k1' })).toEqual([]);
  });

  it.each([
    ['a key of the wrong length', { ENCRYPTION_KEYS: 'k1:c2hvcnQ=', ENCRYPTION_KEY_ID: 'k1' }, /"k1" must be 32/],
    [
      'a current id not in the ring',
      { ENCRYPTION_KEYS: `k1:${OWN_KEY}`, ENCRYPTION_KEY_ID: 'k2' },
      /"k2" is not among/,
    ],
  ])('names ENCRYPTION_KEYS for %s, never its value', (_case, keys, reason) => {
    const problems = problemsOf(keys);
    expect(problems).toEqual([expect.stringMatching(reason)]);
    expect(problems[0]).toMatch(/^ENCRYPTION_KEYS: /);
    expect(problems[0]).not.toContain(keys.ENCRYPTION_KEYS.split(':')[1]);
  });

  it('refuses a malformed key id', () => {
    expect(problemsOf({ ENCRYPTION_KEY_ID: 'no spaces' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ENCRYPTION_KEY_ID: must be a key id/)]),
    );
  });
});
