import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DEVELOPMENT_ENCRYPTION_KEYS } from '../crypto/key-ring';
import {
  DEVELOPMENT_JWT_SECRET,
  DEVELOPMENT_WEBHOOK_SECRET,
  InvalidEnvironmentError,
  NodeEnvironment,
  validateEnvironment,
} from './environment';

const OWN_SECRET = 'a-secret-of-our-own-that-is-long-enough';
const SERVER_URL = 'postgres://app:app-password@db.internal:5432/app';

/** Everything production insists on, each of its own. */
const PRODUCTION: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  JWT_SECRET: OWN_SECRET,
  PAYMENT_WEBHOOK_SECRET: 'the payment provider webhook secret of this shop',
  DATABASE_URL: SERVER_URL,
  AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  ENCRYPTION_KEY_ID: 'k1',
};

function without(raw: Readonly<Record<string, string>>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !names.includes(key)));
}

/** The problems `validateEnvironment` reports for `raw`, or none when it accepts it. */
function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
}

function namesIn(problems: string[]): string[] {
  return problems.map((problem) => problem.split(':')[0]).sort();
}

function rejectionOf(raw: Record<string, string>): InvalidEnvironmentError {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('validateEnvironment', () => {
  describe('defaults', () => {
    it('gives a working development setup from an empty environment', () => {
      const environment = validateEnvironment({});
      expect(environment).toMatchObject({
        NODE_ENV: NodeEnvironment.Development,
        PORT: 3000,
        HOST: '0.0.0.0',
        LOG_LEVEL: 'info',
        DATA_DIR: './data',
        DATABASE_POOL_SIZE: 10,
        DATABASE_STATEMENT_TIMEOUT_MS: 15_000,
        DATABASE_QUERY_TIMEOUT_MS: 20_000,
        DATABASE_CONNECT_TIMEOUT_MS: 5_000,
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 30_000,
        DATABASE_KEEPALIVE_DELAY_MS: 10_000,
        MIGRATIONS_RUN: true,
        JWT_SECRET: DEVELOPMENT_JWT_SECRET,
        ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS,
        ENCRYPTION_KEY_ID: 'dev',
        CORS_ORIGINS: [],
        BODY_LIMIT_BYTES: 1024 * 1024,
        TRUST_PROXY: 0,
        RATE_LIMIT_TTL_MS: 60_000,
        RATE_LIMIT_MAX: 600,
        HEALTH_DATABASE_TIMEOUT_MS: 1_500,
        HEALTH_HEAP_LIMIT_MB: 1_024,
        SHUTDOWN_TIMEOUT_MS: 10_000,
      });
      // Unset, these mean: the embedded database, a generated audit key, no configured admin.
      expect(environment.DATABASE_URL).toBeUndefined();
      expect(environment.AUDIT_SIGNING_KEY).toBeUndefined();
      expect(environment.ADMIN_EMAIL).toBeUndefined();
      expect(environment.isProduction).toBe(false);
    });

    it('takes an empty variable for its default, as env.example writes them', () => {
      const environment = validateEnvironment({
        PORT: '',
        MIGRATIONS_RUN: ' ',
        CORS_ORIGINS: '',
        JWT_SECRET: '',
        DATABASE_URL: '',
      });
      expect(environment).toMatchObject({
        PORT: 3000,
        MIGRATIONS_RUN: true,
        CORS_ORIGINS: [],
        JWT_SECRET: DEVELOPMENT_JWT_SECRET,
      });
      expect(environment.DATABASE_URL).toBeUndefined();
    });

    it('ignores variables it does not know', () => {
      const environment = validateEnvironment({ PATH: '/usr/bin', HOME: '/root', npm_config_cache: 'x' });
      expect(Object.keys(environment).sort()).toEqual(Object.keys(validateEnvironment({})).sort());
    });
  });

  describe('conversions', () => {
    it.each(['false', 'FALSE', '0', 'no', 'off', ' False '])('reads %j as false', (value) => {
      expect(validateEnvironment({ MIGRATIONS_RUN: value }).MIGRATIONS_RUN).toBe(false);
    });

    it.each(['true', 'TRUE', '1', 'yes', 'on'])('reads %j as true', (value) => {
      expect(validateEnvironment({ MIGRATIONS_RUN: value }).MIGRATIONS_RUN).toBe(true);
    });

    it.each(['maybe', '2', 'y'])('refuses %j as a boolean', (value) => {
      expect(problemsOf({ MIGRATIONS_RUN: value })).toEqual([
        expect.stringMatching(/^MIGRATIONS_RUN: must be true or false/),
      ]);
    });

    it('reads integers, surrounding spaces allowed', () => {
      const environment = validateEnvironment({ PORT: ' 8080 ', DATABASE_POOL_SIZE: '25', TRUST_PROXY: '2' });
      expect([environment.PORT, environment.DATABASE_POOL_SIZE, environment.TRUST_PROXY]).toEqual([8080, 25, 2]);
    });

    it.each(['1.5', '8080abc', '1e3', '0x50'])('refuses %j as an integer', (value) => {
      expect(namesIn(problemsOf({ PORT: value }))).toEqual(['PORT']);
    });

    it.each([
      ['PORT', '65536'],
      ['PORT', '-1'],
      ['DATABASE_POOL_SIZE', '201'],
      ['DATABASE_CONNECT_TIMEOUT_MS', '99'],
      ['DATABASE_QUERY_TIMEOUT_MS', '99'],
      ['DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', '99'],
      ['DATABASE_KEEPALIVE_DELAY_MS', '999'],
      ['BODY_LIMIT_BYTES', '1023'],
      ['TRUST_PROXY', '11'],
      ['RATE_LIMIT_TTL_MS', '999'],
      ['RATE_LIMIT_MAX', '0'],
      ['HEALTH_DATABASE_TIMEOUT_MS', '49'],
      ['HEALTH_HEAP_LIMIT_MB', '15'],
      ['SHUTDOWN_TIMEOUT_MS', '-1'],
      ['SHUTDOWN_DELAY_MS', '-1'],
      ['AUDIT_EXPORT_MAX_CONCURRENT', '0'],
      ['AUDIT_EXPORT_IDLE_TIMEOUT_MS', '999'],
    ])('refuses %s=%s, out of its bounds', (name, value) => {
      expect(namesIn(problemsOf({ [name]: value }))).toEqual([name]);
    });

    it('refuses as many concurrent audit exports as the pool has connections: each holds one', () => {
      expect(namesIn(problemsOf({ DATABASE_POOL_SIZE: '4', AUDIT_EXPORT_MAX_CONCURRENT: '4' }))).toEqual([
        'AUDIT_EXPORT_MAX_CONCURRENT',
      ]);
      expect(problemsOf({ DATABASE_POOL_SIZE: '5', AUDIT_EXPORT_MAX_CONCURRENT: '3' })).toEqual([]);
    });

    it('refuses concurrent chain verifications that, with the exports, would take every connection', () => {
      expect(namesIn(problemsOf({ DATABASE_POOL_SIZE: '4', AUDIT_EXPORT_MAX_CONCURRENT: '3' }))).toEqual([
        'AUDIT_VERIFY_MAX_CONCURRENT',
      ]);
      expect(
        namesIn(
          problemsOf({ DATABASE_POOL_SIZE: '6', AUDIT_EXPORT_MAX_CONCURRENT: '2', AUDIT_VERIFY_MAX_CONCURRENT: '4' }),
        ),
      ).toEqual(['AUDIT_VERIFY_MAX_CONCURRENT']);
      expect(
        problemsOf({ DATABASE_POOL_SIZE: '6', AUDIT_EXPORT_MAX_CONCURRENT: '2', AUDIT_VERIFY_MAX_CONCURRENT: '3' }),
      ).toEqual([]);
      expect(namesIn(problemsOf({ AUDIT_VERIFY_MAX_CONCURRENT: '0' }))).toEqual(['AUDIT_VERIFY_MAX_CONCURRENT']);
    });

    it('refuses a client query deadline that would cut a statement before the server cancels it', () => {
      expect(namesIn(problemsOf({ DATABASE_QUERY_TIMEOUT_MS: '15000' }))).toEqual(['DATABASE_QUERY_TIMEOUT_MS']);
      expect(
        namesIn(problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '20000' })),
      ).toEqual(['DATABASE_QUERY_TIMEOUT_MS']);
      expect(problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '2000' })).toEqual([]);
      // No server bound: the client's is the only one.
      expect(problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_QUERY_TIMEOUT_MS: '100' })).toEqual([]);
    });

    it('keeps serving after SIGTERM for a few seconds in production, none elsewhere, unless told', () => {
      expect(validateEnvironment({}).shutdownDelayMs).toBe(0);
      expect(validateEnvironment({ NODE_ENV: 'test' }).shutdownDelayMs).toBe(0);
      expect(validateEnvironment({ SHUTDOWN_DELAY_MS: '2000' }).shutdownDelayMs).toBe(2_000);
      expect(validateEnvironment(PRODUCTION).shutdownDelayMs).toBe(5_000);
    });

    it('drains for what the shutdown timeout leaves after the delay and the final steps', () => {
      expect(validateEnvironment({}).shutdownDrainBudgetMs).toBe(8_000);
      expect(validateEnvironment(PRODUCTION).shutdownDrainBudgetMs).toBe(3_000);
      expect(validateEnvironment({ SHUTDOWN_TIMEOUT_MS: '3000' }).shutdownDrainBudgetMs).toBe(1_500);
      expect(validateEnvironment({ SHUTDOWN_TIMEOUT_MS: '0' }).shutdownDrainBudgetMs).toBe(0);
    });

    it('refuses a shutdown delay that leaves no time to drain within the shutdown timeout', () => {
      expect(namesIn(problemsOf({ SHUTDOWN_DELAY_MS: '10000' }))).toEqual(['SHUTDOWN_DELAY_MS']);
      expect(namesIn(problemsOf({ SHUTDOWN_DELAY_MS: '3000', SHUTDOWN_TIMEOUT_MS: '2000' }))).toEqual([
        'SHUTDOWN_DELAY_MS',
      ]);
      expect(namesIn(problemsOf({ ...PRODUCTION, SHUTDOWN_TIMEOUT_MS: '5000' }))).toEqual(['SHUTDOWN_DELAY_MS']);
      expect(problemsOf({ SHUTDOWN_DELAY_MS: '3000', SHUTDOWN_TIMEOUT_MS: '8000' })).toEqual([]);
      expect(problemsOf({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '0' })).toEqual([]);
    });

    it('reads a comma-separated list, trimming items and dropping empty ones', () => {
      const environment = validateEnvironment({ CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ,,' });
      expect(environment.CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:5173']);
    });

    it('reads a list of only commas as none', () => {
      expect(validateEnvironment({ CORS_ORIGINS: ' , ,' }).CORS_ORIGINS).toEqual([]);
    });

    it.each(['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://files.example.com'])(
      'refuses %j among the origins',
      (origin) => {
        expect(namesIn(problemsOf({ CORS_ORIGINS: `https://ok.example.com,${origin}` }))).toEqual(['CORS_ORIGINS']);
      },
    );

    it.each(['postgres://u@h/db', 'postgresql://u:p@h:5433/db?sslmode=require'])(
      'accepts %j as DATABASE_URL',
      (url) => {
        expect(validateEnvironment({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
      },
    );

    it.each(['mysql://u@h/db', 'h:5432/db', 'postgres://'])('refuses %j as DATABASE_URL', (url) => {
      expect(namesIn(problemsOf({ DATABASE_URL: url }))).toEqual(['DATABASE_URL']);
    });

    it.each(['0123456789abcdef0123456789abcdef01234567', 'v1.4.2-3-gabc1234'])(
      'accepts %j as BUILD_COMMIT',
      (commit) => {
        expect(validateEnvironment({ BUILD_COMMIT: commit }).BUILD_COMMIT).toBe(commit);
      },
    );

    it.each(['abc def', 'abc"} 1\nforged_metric 1', 'x'.repeat(65)])('refuses %j as BUILD_COMMIT', (commit) => {
      expect(namesIn(problemsOf({ BUILD_COMMIT: commit }))).toEqual(['BUILD_COMMIT']);
    });

    it('refuses an unknown NODE_ENV and LOG_LEVEL', () => {
      expect(namesIn(problemsOf({ NODE_ENV: 'staging', LOG_LEVEL: 'verbose' }))).toEqual(['LOG_LEVEL', 'NODE_ENV']);
    });
  });

  describe('production', () => {
    it('accepts secrets and keys of its own and a database server', () => {
      const environment = validateEnvironment(PRODUCTION);
      expect(environment.isProduction).toBe(true);
      expect(environment.JWT_SECRET).toBe(OWN_SECRET);
    });

    // ENCRYPTION_KEY_ID goes with its keys: left alone, both fall back to the development pair.
    it.each([
      [['JWT_SECRET'], 'JWT_SECRET: must be set to a secret of your own in production'],
      [['DATABASE_URL'], 'DATABASE_URL: must be set in production (the embedded database is for development)'],
      [
        ['PAYMENT_WEBHOOK_SECRET'],
        "PAYMENT_WEBHOOK_SECRET: must be set to the payment provider's webhook secret in production",
      ],
      [
        ['AUDIT_SIGNING_KEY'],
        'AUDIT_SIGNING_KEY: must be set in production (an Ed25519 private key, PKCS#8 PEM or its base64)',
      ],
      [['ENCRYPTION_KEYS', 'ENCRYPTION_KEY_ID'], 'ENCRYPTION_KEYS: must not contain the development key in production'],
    ])('refuses %j left unset', (names, problem) => {
      expect(problemsOf(without(PRODUCTION, ...names))).toEqual([problem]);
    });

    it.each(['JWT_SECRET', 'DATABASE_URL', 'AUDIT_SIGNING_KEY'])('counts an empty %s as unset', (name) => {
      expect(namesIn(problemsOf({ ...PRODUCTION, [name]: '' }))).toEqual([name]);
    });

    it('refuses the development PAYMENT_WEBHOOK_SECRET given explicitly', () => {
      expect(namesIn(problemsOf({ ...PRODUCTION, PAYMENT_WEBHOOK_SECRET: DEVELOPMENT_WEBHOOK_SECRET }))).toEqual([
        'PAYMENT_WEBHOOK_SECRET',
      ]);
    });

    it('refuses the development JWT_SECRET given explicitly', () => {
      expect(namesIn(problemsOf({ ...PRODUCTION, JWT_SECRET: DEVELOPMENT_JWT_SECRET }))).toEqual(['JWT_SECRET']);
    });

    it('reports every production problem together', () => {
      expect(namesIn(problemsOf({ NODE_ENV: 'production' }))).toEqual([
        'AUDIT_SIGNING_KEY',
        'DATABASE_URL',
        'ENCRYPTION_KEYS',
        'JWT_SECRET',
        'PAYMENT_WEBHOOK_SECRET',
      ]);
    });

    it.each(['development', 'test'])('allows the development defaults when NODE_ENV=%s', (nodeEnvironment) => {
      expect(problemsOf({ NODE_ENV: nodeEnvironment })).toEqual([]);
    });
  });

  describe('the error', () => {
    it('names every bad variable in one error, one line each', () => {
      const error = rejectionOf({ PORT: 'abc', DATABASE_POOL_SIZE: '0', CORS_ORIGINS: 'notaurl', LOG_LEVEL: 'loud' });

      expect(namesIn(error.problems)).toEqual(['CORS_ORIGINS', 'DATABASE_POOL_SIZE', 'LOG_LEVEL', 'PORT']);
      const lines = error.message.split('\n');
      expect(lines[0]).toBe('Invalid configuration:');
      expect(lines.slice(1)).toEqual(error.problems.map((problem) => `  - ${problem}`));
    });

    it('shows the value it got for ordinary variables', () => {
      expect(rejectionOf({ PORT: 'abc' }).message).toContain('(got "abc")');
    });

    it('never shows the value of a secret', () => {
      const tooShortSecret = 'short-but-secret';
      const wrongUrl = 'mysql://shop:hunter2-password@db.internal/shop';
      const shortKey = randomBytes(16).toString('base64');
      const error = rejectionOf({
        JWT_SECRET: tooShortSecret,
        DATABASE_URL: wrongUrl,
        ENCRYPTION_KEYS: `k1:${shortKey}`,
        ENCRYPTION_KEY_ID: 'k1',
      });

      expect(namesIn(error.problems)).toEqual(['DATABASE_URL', 'ENCRYPTION_KEYS', 'JWT_SECRET']);
      for (const leaked of [tooShortSecret, wrongUrl, 'hunter2', shortKey]) expect(error.message).not.toContain(leaked);
    });

    it('never shows the development secrets it refuses in production', () => {
      const error = rejectionOf({ NODE_ENV: 'production' });
      const developmentKey = DEVELOPMENT_ENCRYPTION_KEYS.split(':')[1];
      for (const leaked of [DEVELOPMENT_JWT_SECRET, developmentKey]) expect(error.message).not.toContain(leaked);
    });
  });
});
