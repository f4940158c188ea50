import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { User } from '../src/identity/entities/user.entity';
import { KeyRing } from '../src/platform/crypto/key-ring';
import { AppProcess, killAppProcesses, testAppEnvironment } from './support/app-process';
import { bearer, createUser, type Session, strongPassword, type TestUser, uniqueEmail } from './support/identity';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

const STEP_SECONDS = 30;
const PROBLEM_BASE = 'https://problems.b2b-commerce.example/';

/** The code an authenticator app shows `steps` time steps from now. */
function codeAt(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * STEP_SECONDS });
}

/**
 * The tests below reason in steps relative to "now"; a step boundary passing
 * in the middle of one would shift the server's window under it. Waits, when
 * needed, until a fresh step has at least `seconds` left.
 */
async function awayFromStepBoundary(seconds = 6): Promise<void> {
  const intoStep = (Date.now() / 1000) % STEP_SECONDS;
  if (STEP_SECONDS - intoStep < seconds) {
    await new Promise((resolve) => setTimeout(resolve, (STEP_SECONDS - intoStep + 0.2) * 1000));
  }
}

interface MfaUser extends TestUser {
  secret: string;
  recoveryCodes: string[];
}

describe('MFA (TOTP)', () => {
  let testApp: TestApp;
  let database: DataSource;

  const login = (user: TestUser, otp?: string) =>
    testApp.http
      .post('/v1/auth/login')
      .send(
        otp === undefined
          ? { email: user.email, password: user.password }
          : { email: user.email, password: user.password, otp },
      );
  const storedUser = async (id: string) =>
    (
      await database.query<{ mfa_secret: string | null; mfa_enabled: boolean; mfa_last_used_step: string | null }[]>(
        'SELECT mfa_secret, mfa_enabled, mfa_last_used_step FROM users WHERE id = $1',
        [id],
      )
    )[0];
  const storedRecoveryCodes = (userId: string) =>
    database.query<{ code_hash: string; used_at: Date | null }[]>(
      'SELECT code_hash, used_at FROM mfa_recovery_codes WHERE user_id = $1',
      [userId],
    );
  const eventsFor = (userId: string) =>
    database.getRepository(AuditEvent).find({ where: { resourceId: userId }, order: { occurredAt: 'ASC' } });

  /** A buyer with MFA on, its enable having used the code of the previous step. */
  async function mfaUser(): Promise<MfaUser> {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const setup = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
    const secret: string = setup.body.secret;
    await awayFromStepBoundary(3);
    const enabled = await testApp.http
      .post('/v1/me/mfa/enable')
      .set(bearer(user))
      .send({ otp: await codeAt(secret, -1) })
      .expect(200);
    return { ...user, secret, recoveryCodes: enabled.body.recoveryCodes };
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    database = testApp.app.get(DataSource);
  });
  afterAll(() => testApp.close());
  beforeEach(() => awayFromStepBoundary());

  describe('setup and enable', () => {
    it('gives a secret and an otpauth URI, stores the secret encrypted, and leaves MFA off until confirmed', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);

      expect(Object.keys(response.body).sort()).toEqual(['otpauthUrl', 'secret']);
      const { secret, otpauthUrl } = response.body;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(otpauthUrl);
      expect(uri.protocol).toBe('otpauth:');
      expect(decodeURIComponent(uri.pathname)).toBe(`/${testApp.environment.MFA_ISSUER}:${user.email}`);
      expect(uri.searchParams.get('secret')).toBe(secret);

      const stored = await storedUser(user.id);
      expect(stored.mfa_enabled).toBe(false);
      expect(stored.mfa_secret).toMatch(/^v1:dev:[\w-]+:[\w-]+:[\w-]+$/);
      expect(stored.mfa_secret).not.toContain(secret);
      const ring = KeyRing.parse(testApp.environment.ENCRYPTION_KEYS, testApp.environment.ENCRYPTION_KEY_ID);
      expect(ring.decrypt(stored.mfa_secret ?? '')).toBe(secret);
      // Not loaded unless asked for: a user read elsewhere never carries it.
      expect((await database.getRepository(User).findOneByOrFail({ id: user.id })).mfaSecret).toBeUndefined();

      const me = await testApp.http.get('/v1/me').set(bearer(user)).expect(200);
      expect(me.body.mfaEnabled).toBe(false);
      // Not on yet: signing in still needs the password only.
      await login(user).expect(200);
    });

    it('turns MFA on with a code of the new secret and returns ten recovery codes, stored only as SHA-256', async () => {
      const user = await mfaUser();

      expect(user.recoveryCodes).toHaveLength(10);
      expect(new Set(user.recoveryCodes).size).toBe(10);
      const stored = await storedRecoveryCodes(user.id);
      expect(stored.map((row) => row.code_hash).sort()).toEqual(
        user.recoveryCodes.map((code) => createHash('sha256').update(code.replace(/-/g, '')).digest('hex')).sort(),
      );
      expect(stored.every((row) => row.used_at === null)).toBe(true);
      expect((await storedUser(user.id)).mfa_enabled).toBe(true);
      const me = await testApp.http.get('/v1/me').set(bearer(user)).expect(200);
      expect(me.body.mfaEnabled).toBe(true);
    });

    it('replaces a pending secret on a second setup: codes of the first no longer enable', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const first = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
      const second = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
      expect(second.body.secret).not.toBe(first.body.secret);

      const refused = await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(user))
        .send({ otp: await codeAt(first.body.secret) })
        .expect(400);
      expect(refused.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(user))
        .send({ otp: await codeAt(second.body.secret) })
        .expect(200);
    });

    it('refuses a wrong code (400 invalid-otp) and leaves MFA off, with nothing stored', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const { body } = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
      const right = await codeAt(body.secret);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');

      const response = await testApp.http.post('/v1/me/mfa/enable').set(bearer(user)).send({ otp: wrong }).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      expect(await storedUser(user.id)).toMatchObject({ mfa_enabled: false, mfa_last_used_step: null });
      expect(await storedRecoveryCodes(user.id)).toEqual([]);
    });

    it.each([['12345'], ['1234567'], ['abcdef'], [123456], [null]])(
      'refuses the malformed code %j with a validation problem',
      async (otp) => {
        const user = await createUser(testApp, { roles: ['buyer'] });
        await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
        const response = await testApp.http.post('/v1/me/mfa/enable').set(bearer(user)).send({ otp }).expect(400);
        expect(response.body.errors).toEqual([expect.objectContaining({ field: 'otp' })]);
      },
    );

    it('answers 409 to enable without a setup, and to setup or enable once MFA is on', async () => {
      const fresh = await createUser(testApp, { roles: ['buyer'] });
      const noSetup = await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(fresh))
        .send({ otp: '123456' })
        .expect(409);
      expect(noSetup.body.type).toBe(`${PROBLEM_BASE}mfa-setup-required`);

      const user = await mfaUser();
      const session = await login(user, await codeAt(user.secret)).expect(200);
      const secretBefore = (await storedUser(user.id)).mfa_secret;
      const again = await testApp.http.post('/v1/me/mfa/setup').set(bearer(session.body)).expect(409);
      expect(again.body.type).toBe(`${PROBLEM_BASE}mfa-already-enabled`);
      await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(session.body))
        .send({ otp: await codeAt(user.secret, 1) })
        .expect(409);
      expect((await storedUser(user.id)).mfa_secret).toBe(secretBefore);
    });
  });

  describe('login', () => {
    it('needs a code, refuses a wrong one, accepts the right one once, then the next step', async () => {
      const user = await mfaUser();

      const withoutCode = await login(user).expect(401);
      expect(withoutCode.body.type).toBe(`${PROBLEM_BASE}mfa-required`);
      expect(withoutCode.body).not.toHaveProperty('accessToken');

      const current = await codeAt(user.secret);
      const wrong = String((Number(current) + 1) % 1_000_000).padStart(6, '0');
      const wrongCode = await login(user, wrong).expect(401);
      expect(wrongCode.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);

      const accepted = await login(user, current).expect(200);
      expect(accepted.body.accessToken).toEqual(expect.any(String));
      await testApp.http.get('/v1/me').set(bearer(accepted.body)).expect(200);

      const replayed = await login(user, current).expect(401);
      expect(replayed.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      // Still inside the ±1 window, but at or before the last accepted step: refused.
      await login(user, await codeAt(user.secret, -1)).expect(401);

      const next = await codeAt(user.secret, 1);
      await login(user, next).expect(200);
      await login(user, next).expect(401);
    });

    it('refuses codes two steps away either side', async () => {
      const user = await mfaUser();
      await awayFromStepBoundary(3);
      await login(user, await codeAt(user.secret, 2)).expect(401);
      await login(user, await codeAt(user.secret, -2)).expect(401);
      await login(user, await codeAt(user.secret)).expect(200);
    });

    it('takes a recovery code instead of a code, once each, however it is typed', async () => {
      const user = await mfaUser();
      const [first, second] = user.recoveryCodes;

      await login(user, first).expect(200);
      const reused = await login(user, first).expect(401);
      expect(reused.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      await login(user, second.toUpperCase().replace(/-/g, ' ')).expect(200);

      const used = (await storedRecoveryCodes(user.id)).filter((row) => row.used_at !== null);
      expect(used).toHaveLength(2);
      const events = (await eventsFor(user.id)).map((event) => event.action);
      expect(events.filter((action) => action === 'user.mfa_recovery_code_used')).toHaveLength(2);
    });

    it("refuses another account's recovery code and a made-up one", async () => {
      const [user, other] = [await mfaUser(), await mfaUser()];
      await login(user, other.recoveryCodes[0]).expect(401);
      await login(user, 'aaaa-bbbb-cccc-dddd').expect(401);
      // Still unused for its owner.
      await login(other, other.recoveryCodes[0]).expect(200);
    });

    it('counts wrong codes towards the account lockout', async () => {
      const user = await mfaUser();
      for (let attempt = 0; attempt < testApp.environment.LOGIN_MAX_FAILURES; attempt += 1) {
        await login(user, '000000').expect(401);
      }
      // Locked: even the right password and code are refused, with the usual answer.
      const locked = await login(user, await codeAt(user.secret)).expect(401);
      expect(locked.body.type).toBe(`${PROBLEM_BASE}invalid-credentials`);
    });

    (onRealDatabase ? it : it.skip)(
      'accepts one code once under concurrent logins (needs the real PostgreSQL server)',
      async () => {
        const user = await mfaUser();
        const code = await codeAt(user.secret);
        const responses = await Promise.all([1, 2, 3, 4].map(() => login(user, code)));
        expect(responses.map((response) => response.status).sort()).toEqual([200, 401, 401, 401]);
      },
    );

    (onRealDatabase ? it : it.skip)(
      'spends one recovery code once under concurrent logins (needs the real PostgreSQL server)',
      async () => {
        const user = await mfaUser();
        const responses = await Promise.all([1, 2, 3, 4].map(() => login(user, user.recoveryCodes[0])));
        expect(responses.map((response) => response.status).sort()).toEqual([200, 401, 401, 401]);
      },
    );
  });

  describe('disable', () => {
    it('needs the current password and a current code; then signing in needs the password only', async () => {
      const user = await mfaUser();
      const used = await codeAt(user.secret);
      const session = (await login(user, used).expect(200)).body;

      const wrongPassword = await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: `${user.password}x`, otp: await codeAt(user.secret, 1) })
        .expect(400);
      expect(wrongPassword.body.type).toBe(`${PROBLEM_BASE}current-password-incorrect`);

      const wrongCode = await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: used })
        .expect(400);
      expect(wrongCode.body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      expect((await storedUser(user.id)).mfa_enabled).toBe(true);

      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: await codeAt(user.secret, 1) })
        .expect(204);

      expect(await storedUser(user.id)).toEqual({ mfa_secret: null, mfa_enabled: false, mfa_last_used_step: null });
      expect(await storedRecoveryCodes(user.id)).toEqual([]);
      await login(user).expect(200);
      const again = await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: '123456' })
        .expect(409);
      expect(again.body.type).toBe(`${PROBLEM_BASE}mfa-not-enabled`);
    });

    it('counts wrong codes towards the account lockout, so they cannot be guessed here either', async () => {
      const user = await mfaUser();
      const session = (await login(user, user.recoveryCodes[0]).expect(200)).body;
      const disable = (otp: string) =>
        testApp.http.post('/v1/me/mfa/disable').set(bearer(session)).send({ currentPassword: user.password, otp });
      for (let attempt = 0; attempt < testApp.environment.LOGIN_MAX_FAILURES; attempt += 1) {
        expect((await disable(`wrong-recovery-code-${attempt}`)).body.type).toBe(`${PROBLEM_BASE}invalid-otp`);
      }
      const locked = await disable(user.recoveryCodes[1]).expect(400);
      expect(locked.body.type).toBe(`${PROBLEM_BASE}current-password-incorrect`);
      expect((await storedUser(user.id)).mfa_enabled).toBe(true);
      await login(user, user.recoveryCodes[1]).expect(401);
      const failures = (await eventsFor(user.id)).filter((event) => event.action === 'user.reauthentication_failed');
      expect(failures.map((event) => event.details?.reason)).toEqual([
        ...Array<string>(testApp.environment.LOGIN_MAX_FAILURES).fill('invalid otp'),
        'account locked',
      ]);
    });

    it('takes a recovery code in place of the current code', async () => {
      const user = await mfaUser();
      const session = (await login(user, user.recoveryCodes[0]).expect(200)).body;
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: user.recoveryCodes[0] })
        .expect(400);
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: user.recoveryCodes[1] })
        .expect(204);
    });

    it('lets MFA be set up again afterwards, with a new secret and new recovery codes', async () => {
      const user = await mfaUser();
      const session = (await login(user, await codeAt(user.secret)).expect(200)).body;
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: user.recoveryCodes[0] })
        .expect(204);

      const setup = await testApp.http.post('/v1/me/mfa/setup').set(bearer(session)).expect(200);
      expect(setup.body.secret).not.toBe(user.secret);
      const enabled = await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(session))
        .send({ otp: await codeAt(setup.body.secret) })
        .expect(200);
      const newCodes: string[] = enabled.body.recoveryCodes;
      expect(newCodes.some((code) => user.recoveryCodes.includes(code))).toBe(false);
      await login(user, user.recoveryCodes[1]).expect(401);
      await login(user, newCodes[0]).expect(200);
    });
  });

  describe('other sessions', () => {
    const refresh = (refreshToken: string) => testApp.http.post('/v1/auth/refresh').send({ refreshToken });
    const me = (session: Session) => testApp.http.get('/v1/me').set(bearer(session));
    const changeEvent = async (userId: string, action: string) =>
      (await eventsFor(userId)).find((event) => event.action === action);

    it('enabling MFA ends every other session of the user at once; the session that enabled it goes on', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const other = (await login(user).expect(200)).body as Session;
      const { body } = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
      await testApp.http
        .post('/v1/me/mfa/enable')
        .set(bearer(user))
        .send({ otp: await codeAt(body.secret) })
        .expect(200);

      await me(other).expect(401);
      const refused = await refresh(other.refreshToken).expect(401);
      expect(refused.body.type).toBe(`${PROBLEM_BASE}invalid-refresh-token`);

      await me(user).expect(200);
      const next = (await refresh(user.refreshToken).expect(200)).body as Session;
      await me(next).expect(200);
      expect((await changeEvent(user.id, 'user.mfa_enabled'))?.details).toEqual({ otherSessionsEnded: true });
    });

    it('disabling MFA ends every other session too, the one that enabled it included', async () => {
      const user = await mfaUser();
      const caller = (await login(user, await codeAt(user.secret)).expect(200)).body as Session;
      const other = (await login(user, user.recoveryCodes[0]).expect(200)).body as Session;
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(caller))
        .send({ currentPassword: user.password, otp: user.recoveryCodes[1] })
        .expect(204);

      for (const ended of [other, user]) {
        await me(ended).expect(401);
        await refresh(ended.refreshToken).expect(401);
      }
      await me(caller).expect(200);
      await refresh(caller.refreshToken).expect(200);
      expect((await changeEvent(user.id, 'user.mfa_disabled'))?.details).toEqual({ otherSessionsEnded: true });
    });

    (onRealDatabase ? it : it.skip)(
      'lets no other session outlive the change by refreshing or signing in while it commits',
      async () => {
        for (let round = 0; round < 5; round += 1) {
          const user = await createUser(testApp, { roles: ['buyer'] });
          const others: Session[] = [];
          for (let index = 0; index < 6; index += 1) others.push((await login(user).expect(200)).body as Session);
          const { body } = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
          const otp = await codeAt(body.secret);

          const [, ...raced] = await Promise.all([
            testApp.http.post('/v1/me/mfa/enable').set(bearer(user)).send({ otp }).expect(200),
            ...others.map((session) => refresh(session.refreshToken)),
            ...others.slice(0, 3).map(() => login(user)),
          ]);

          // Whatever finished first, a session begun or rotated without the new factor must be over.
          for (const response of raced.filter(({ status }) => status === 200)) {
            const session = response.body as Session;
            await me(session).expect(401);
            await refresh(session.refreshToken).expect(401);
          }
        }
      },
    );

    it('ends nothing when the change is refused', async () => {
      const user = await mfaUser();
      const other = (await login(user, user.recoveryCodes[0]).expect(200)).body as Session;
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(user))
        .send({ currentPassword: user.password, otp: 'not-a-recovery-code' })
        .expect(400);

      await me(other).expect(200);
      await refresh(other.refreshToken).expect(200);
    });
  });

  describe('audit', () => {
    it('records setup, enable, recovery-code use and disable, with no secret, code or recovery code', async () => {
      const user = await mfaUser();
      const code = await codeAt(user.secret);
      const session = (await login(user, code).expect(200)).body;
      await login(user, user.recoveryCodes[0]).expect(200);
      await testApp.http
        .post('/v1/me/mfa/disable')
        .set(bearer(session))
        .send({ currentPassword: user.password, otp: user.recoveryCodes[1] })
        .expect(204);

      const events = await eventsFor(user.id);
      const actions = events.map((event) => event.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'user.mfa_setup_started',
          'user.mfa_enabled',
          'user.mfa_recovery_code_used',
          'user.mfa_disabled',
        ]),
      );
      expect(events.find((event) => event.action === 'user.mfa_enabled')).toMatchObject({
        actorId: user.id,
        outcome: 'success',
        resourceType: 'User',
        changes: { before: { mfaEnabled: false }, after: { mfaEnabled: true } },
      });
      const trail = JSON.stringify(events);
      for (const secret of [user.secret, code, user.password, ...user.recoveryCodes]) {
        expect(trail).not.toContain(secret);
      }
    });
  });

  describe('denials', () => {
    const endpoints: [path: string, body: Record<string, unknown>][] = [
      ['/v1/me/mfa/setup', {}],
      ['/v1/me/mfa/enable', { otp: '123456' }],
      ['/v1/me/mfa/disable', { currentPassword: 'whatever-it-is-here', otp: '123456' }],
    ];

    it.each(endpoints)('%s: 401 without a credential, and with a bad token', async (path, body) => {
      const anonymous = await testApp.http.post(path).send(body).expect(401);
      expect(anonymous.body.type).toBe(`${PROBLEM_BASE}authentication-required`);
      await testApp.http.post(path).set({ Authorization: 'Bearer not.a.token' }).send(body).expect(401);
    });

    it.each(endpoints)('%s: 403 with an API key, even of the user themselves', async (path, body) => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const created = await testApp.http
        .post('/v1/api-keys')
        .set(bearer(user))
        .send({ name: 'machine', roles: ['buyer'] })
        .expect(201);
      const response = await testApp.http.post(path).set('X-API-Key', created.body.key).send(body).expect(403);
      expect(response.body.type).toBe(`${PROBLEM_BASE}user-session-required`);
      expect(await storedUser(user.id)).toMatchObject({ mfa_secret: null, mfa_enabled: false });
    });

    it("never shows a user's secret to another: setup acts on the caller's own account only", async () => {
      const [user, other] = [await mfaUser(), await createUser(testApp, { roles: ['buyer'] })];
      const otherSetup = await testApp.http.post('/v1/me/mfa/setup').set(bearer(other)).expect(200);
      expect(otherSetup.body.secret).not.toBe(user.secret);
      expect((await storedUser(user.id)).mfa_enabled).toBe(true);
    });
  });
});

describe('MFA secrets in logs', () => {
  afterAll(() => killAppProcesses());

  it('never writes a TOTP secret, code, recovery code or password to the log, at debug level', async () => {
    const app = AppProcess.spawn({ ...testAppEnvironment(), LOG_LEVEL: 'debug', PORT: '0', HOST: '127.0.0.1' });
    const listening = await app.waitForLog(/^Listening on /);
    const baseUrl = /^Listening on (http:\/\/\S+)/.exec(listening.msg)?.[1] ?? '';
    let accessToken = '';
    const post = async (path: string, body: object) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (response.status === 204 ? {} : await response.json()) as Record<string, never>,
      };
    };

    await awayFromStepBoundary();
    const email = uniqueEmail('mfa-logs');
    const password = strongPassword();
    const newPassword = strongPassword();
    const account = { organizationName: `MFA Logs ${randomUUID()}`, email, displayName: 'Lou Logs', password };
    expect((await post('/v1/auth/register', account)).status).toBe(201);
    accessToken = (await post('/v1/auth/login', { email, password })).body.accessToken;
    const setup = await post('/v1/me/mfa/setup', {});
    expect(setup.status).toBe(200);
    const secret: string = setup.body.secret;
    await awayFromStepBoundary(3);
    const enableCode = await codeAt(secret, -1);
    const enabled = await post('/v1/me/mfa/enable', { otp: enableCode });
    expect(enabled.status).toBe(200);
    const recoveryCodes: string[] = enabled.body.recoveryCodes;
    const loginCode = await codeAt(secret);
    expect((await post('/v1/auth/login', { email, password, otp: '000000' })).status).toBe(401);
    expect((await post('/v1/auth/login', { email, password, otp: loginCode })).status).toBe(200);
    expect((await post('/v1/auth/login', { email, password, otp: loginCode })).status).toBe(401);
    expect((await post('/v1/auth/login', { email, password, otp: recoveryCodes[0] })).status).toBe(200);
    expect((await post('/v1/me/mfa/disable', { currentPassword: `${password}x`, otp: recoveryCodes[1] })).status).toBe(
      400,
    );
    expect((await post('/v1/me/mfa/disable', { currentPassword: password, otp: recoveryCodes[1] })).status).toBe(204);
    expect((await post('/v1/me/password', { currentPassword: password, newPassword })).status).toBe(204);

    const { stored, codeHashes } = await withDatabase(async (client) => {
      const {
        rows: [user],
      } = await client.query<{ id: string; password_hash: string }>(
        'SELECT id, password_hash FROM users WHERE lower(email) = lower($1)',
        [email],
      );
      const { rows } = await client.query<{ code_hash: string }>(
        'SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1',
        [user.id],
      );
      return { stored: user, codeHashes: rows };
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const output = app.stdout + app.stderr;

    expect(output).toContain('"level":20');
    for (const event of [
      'user.mfa_enabled',
      'user.mfa_recovery_code_used',
      'user.mfa_disabled',
      'user.password_changed',
    ]) {
      expect(output).toContain(event);
    }
    const secrets = {
      secret,
      otpauthSecret: encodeURIComponent(secret),
      enableCode,
      loginCode,
      password,
      newPassword,
      passwordHash: stored.password_hash,
      ...Object.fromEntries(recoveryCodes.map((code, index) => [`recoveryCode${index}`, code])),
      ...Object.fromEntries(codeHashes.map((row, index) => [`recoveryCodeHash${index}`, row.code_hash])),
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, found: output.includes(value) }).toEqual({ name, found: false });
    }
  });
});

describe('MFA across an encryption key rotation', () => {
  const oldKey = `old:${randomBytes(32).toString('base64')}`;
  const newKey = `new:${randomBytes(32).toString('base64')}`;
  let running: TestApp | undefined;
  afterEach(() => running?.close());

  /** One app at a time: the key ring is configured process-wide when an app starts. */
  async function startWithKeys(keys: string, current: string): Promise<TestApp> {
    await running?.close();
    running = await startTestApp({ ENCRYPTION_KEYS: keys, ENCRYPTION_KEY_ID: current });
    return running;
  }
  const storedSecret = async (app: TestApp, userId: string) => {
    const [row] = await app.app
      .get(DataSource)
      .query<{ mfa_secret: string }[]>('SELECT mfa_secret FROM users WHERE id = $1', [userId]);
    return row.mfa_secret;
  };

  it('reads secrets written under the retired key and writes new ones under the current key', async () => {
    const before = await startWithKeys(oldKey, 'old');
    const user = await createUser(before, { roles: ['buyer'] });
    const { secret } = (await before.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200)).body;
    await awayFromStepBoundary(3);
    await before.http
      .post('/v1/me/mfa/enable')
      .set(bearer(user))
      .send({ otp: await codeAt(secret, -1) })
      .expect(200);
    expect(await storedSecret(before, user.id)).toMatch(/^v1:old:/);

    const after = await startWithKeys(`${newKey},${oldKey}`, 'new');
    const session = (
      await after.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password, otp: await codeAt(secret) })
        .expect(200)
    ).body;
    await after.http
      .post('/v1/me/mfa/disable')
      .set(bearer(session))
      .send({ currentPassword: user.password, otp: await codeAt(secret, 1) })
      .expect(204);
    const again = await after.http.post('/v1/me/mfa/setup').set(bearer(session)).expect(200);
    const stored = await storedSecret(after, user.id);
    expect(stored).toMatch(/^v1:new:/);
    expect(KeyRing.parse(newKey, 'new').decrypt(stored)).toBe(again.body.secret);
  });
});
