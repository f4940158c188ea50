import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import {
  containsDevelopmentKey,
  DEVELOPMENT_ENCRYPTION_KEY_ID,
  DEVELOPMENT_ENCRYPTION_KEYS,
  KEY_ID_PATTERN,
  KeyRing,
  KeyRingError,
} from '../crypto/key-ring';

export enum NodeEnvironment {
  Development = 'development',
  Test = 'test',
  Production = 'production',
}

/** Committed so development just works; refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
export const DEVELOPMENT_WEBHOOK_SECRET = 'development-only-webhook-secret-do-not-use-in-production';
export const PAYMENT_PROVIDERS = ['simulated'] as const;
/** Kubernetes takes a few seconds to take a terminating pod out of its endpoints and balancers. */
const PRODUCTION_SHUTDOWN_DELAY_MS = 5_000;
/**
 * Of SHUTDOWN_TIMEOUT_MS, what is kept after the drain for the final audit seal, outbox publish and
 * database close (half of what the delay leaves, if that is less).
 */
const SHUTDOWN_FINAL_STEPS_MS = 2_000;

const SECRET_VARIABLES = new Set([
  'AUDIT_SIGNING_KEY',
  'JWT_SECRET',
  'PAYMENT_WEBHOOK_SECRET',
  'DATABASE_URL',
  'BROKER_URL',
  'REDIS_URL',
  'ENCRYPTION_KEYS',
  'ADMIN_PASSWORD',
  'DEMO_PASSWORD',
]);

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toDecimal = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;

const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;

/**
 * Every environment variable the service reads, with its default. `env.example`
 * documents each one; keep the two in step.
 */
export class Environment {
  @IsEnum(NodeEnvironment)
  NODE_ENV: NodeEnvironment = NodeEnvironment.Development;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Share (0 to 1) of successful, fast requests written to the access log at info. Errors, slow
   * and aborted requests are always written; the metrics count every request.
   */
  @Transform(toDecimal)
  @IsNumber({ allowInfinity: false, allowNaN: false })
  @Min(0)
  @Max(1)
  REQUEST_LOG_SAMPLE_RATE = 1;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** The server cancels a statement that runs longer (ms); 0: no limit. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /**
   * The client gives up a query with no answer after this long (ms) and closes its connection,
   * however the network behaves (the server's statement timeout cannot reach across a stalled
   * one). Above DATABASE_STATEMENT_TIMEOUT_MS, so that a merely slow statement is cancelled cleanly
   * by the server first.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  DATABASE_QUERY_TIMEOUT_MS = 20_000;

  /** How long (ms) a query waits for a connection: a free one of a full pool, or a new one opened. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /** The server ends a session whose transaction sat idle this long (ms): a client that vanished mid-transaction. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

  /** TCP keepalive on every database connection: the first probe after this long idle (ms). */
  @Transform(toInteger)
  @IsInt()
  @Min(1_000)
  DATABASE_KEEPALIVE_DELAY_MS = 10_000;

  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  MIGRATIONS_RUN = true;

  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;

  /**
   * Ed25519 private key (PKCS#8 PEM, or its base64) signing audit checkpoints. Unset outside
   * production: generated once and kept in DATA_DIR.
   */
  @IsOptional()
  @IsString()
  AUDIT_SIGNING_KEY?: string;

  /** A signed checkpoint after this many new audit events... */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUDIT_CHECKPOINT_EVERY_EVENTS = 1_000;

  /** ...or after this long (ms) with new events, whichever comes first. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;

  /** How often (ms) committed audit events are appended to the hash chain. */
  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(60_000)
  AUDIT_SEAL_INTERVAL_MS = 200;

  /**
   * Audit exports running at once. Each holds one pooled database connection (its cursor) for
   * its whole download, so this must stay below DATABASE_POOL_SIZE; more are refused with 429.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(20)
  AUDIT_EXPORT_MAX_CONCURRENT = 2;

  /**
   * Chain verifications (`GET /v1/audit/verify`) running at once. Each reads the chain in a snapshot
   * on one pooled connection; with the exports', they must leave DATABASE_POOL_SIZE a connection for
   * everything else. More are refused with 429.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(20)
  AUDIT_VERIFY_MAX_CONCURRENT = 1;

  /** How long, in ms, an audit export may wait for its client to read before its cursor is closed. */
  @Transform(toInteger)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  AUDIT_EXPORT_IDLE_TIMEOUT_MS = 60_000;

  /**
   * Redis for the rate-limit counters, shared by every replica: `redis://host:6379` (or `rediss://`,
   * with a password as `redis://:password@host:6379`). Unset: each process counts on its own.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * The NATS server (JetStream) that domain events go to, `nats://host:4222` (credentials as
   * `nats://user:password@host:4222`). Unset: the events wait in the outbox table.
   */
  @IsOptional()
  @Matches(/^nats:\/\/\S+$/, { message: 'must be a nats:// URL' })
  BROKER_URL?: string;

  /** The JetStream stream of domain events (created when missing); subjects `<stream, lower case>.<event type>`. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ or -' })
  BROKER_STREAM = 'COMMERCE';

  /** How often, in ms, committed domain events are published to the broker. */
  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_PUBLISH_INTERVAL_MS = 500;

  /** How long, in ms, published domain events stay in the outbox table before they are deleted (default 7 days). */
  @Transform(toInteger)
  @IsInt()
  @Min(60_000)
  OUTBOX_RETENTION_MS = 604_800_000;

  /** How long, in ms, an Idempotency-Key and its response are kept for replays (default 24 h). */
  @Transform(toInteger)
  @IsInt()
  @Min(60_000)
  IDEMPOTENCY_RETENTION_MS = 86_400_000;

  /** How long, in ms, a request holds its Idempotency-Key before a retry may take over (a crashed process). */
  @Transform(toInteger)
  @IsInt()
  @Min(1_000)
  IDEMPOTENCY_LEASE_MS = 60_000;

  /** How often, in ms, expired idempotency keys are purged. */
  @Transform(toInteger)
  @IsInt()
  @Min(1_000)
  IDEMPOTENCY_PURGE_INTERVAL_MS = 3_600_000;

  /** Which PaymentProvider captures payments: `simulated` (a card processor's test mode) is the one built in. */
  @IsIn(PAYMENT_PROVIDERS)
  PAYMENT_PROVIDER: (typeof PAYMENT_PROVIDERS)[number] = 'simulated';

  /** Shared secret of the provider's webhook signatures (HMAC-SHA256). */
  @IsString()
  @MinLength(32)
  PAYMENT_WEBHOOK_SECRET = DEVELOPMENT_WEBHOOK_SECRET;

  /** Largest quantity of one product in one order. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  ORDER_MAX_QUANTITY = 10_000;

  /** Field-encryption keys, `<id>:<base64 of 32 bytes>` comma-separated; older ones stay to decrypt old values. */
  @IsString()
  ENCRYPTION_KEYS = DEVELOPMENT_ENCRYPTION_KEYS;

  /** The id, among ENCRYPTION_KEYS, of the key new values are encrypted with. */
  @Matches(KEY_ID_PATTERN, { message: 'must be a key id of letters, digits, _ or - (1-32)' })
  ENCRYPTION_KEY_ID = DEVELOPMENT_ENCRYPTION_KEY_ID;

  /** Shown by authenticator apps next to the account (the issuer of TOTP otpauth:// URIs). */
  @IsString()
  @Matches(/^[^:]{1,64}$/, { message: 'must be 1-64 characters without a colon' })
  MFA_ISSUER = 'B2B Commerce';

  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message: 'must be a comma-separated list of origins like https://app.example.com',
  })
  CORS_ORIGINS: string[] = [];

  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY = 0;

  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  RATE_LIMIT_TTL_MS = 60_000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 600;

  /**
   * Starts every rate-limit key in Redis: the replicas of one deployment share it, deployments
   * sharing a Redis must each have their own, or one's limits count the other's clients.
   */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1-64 letters, digits, ., _, : or -' })
  RATE_LIMIT_KEY_PREFIX = 'b2b-commerce';

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  HEALTH_DATABASE_TIMEOUT_MS = 1_500;

  /** Liveness fails while the V8 heap in use is above this: a leak ends in a graceful restart, not an OOM kill. */
  @Transform(toInteger)
  @IsInt()
  @Min(16)
  HEALTH_HEAP_LIMIT_MB = 1_024;

  /**
   * After SIGTERM, at most this long (ms) to drain, seal, publish and close before exiting 1 anyway.
   * The drain gets what the delay leaves less 2 s (or half of it, if less) for sealing, publishing and
   * closing; connections still open then are cut.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /**
   * After SIGTERM, how long (ms) the instance keeps serving, readiness already 503, before it stops
   * accepting connections: the time a load balancer takes to stop sending. Unset: 5000 in
   * production, 0 elsewhere. Counts towards SHUTDOWN_TIMEOUT_MS.
   */
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DELAY_MS?: number;

  /** The source commit of this build, shown by the `app_build_info` metric; set when the image is built. */
  @IsOptional()
  @Matches(/^[0-9A-Za-z._-]{1,64}$/, { message: 'must be a commit id (1-64 letters, digits, . _ or -)' })
  BUILD_COMMIT?: string;

  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'b2b-commerce';

  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'b2b-commerce-api';

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /** How long a refresh token lasts unused; each refresh issues the next one. */
  @Transform(toInteger)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * How long a login (a session: its chain of refresh tokens) lasts at most, however often it
   * refreshes; a refresh token expires at the earlier of its own lifetime and its login's end.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  SESSION_ABSOLUTE_LIFETIME_SECONDS = 30 * 24 * 3600;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  LOGIN_LOCKOUT_SECONDS = 900;

  /**
   * Requests per client IP to the sign-in and credential endpoints (`/v1/auth/*`, `/v1/me/password`,
   * `/v1/me/mfa/*`), all together, per RATE_LIMIT_TTL_MS window (stricter than RATE_LIMIT_MAX).
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT_MAX = 20;

  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  SIGNUP_ENABLED = true;

  /** The first admin, created on an empty users table. */
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  /** Demo customer organization and users at start-up; unset: on in development only. Never in production. */
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  DEMO_SEED?: boolean;

  /** Password of the demo users; unset: generated and logged once. */
  @IsOptional()
  @IsString()
  DEMO_PASSWORD?: string;

  get isProduction(): boolean {
    return this.NODE_ENV === NodeEnvironment.Production;
  }

  /** SHUTDOWN_DELAY_MS, or its default: a few seconds for a load balancer in production, none elsewhere. */
  get shutdownDelayMs(): number {
    return this.SHUTDOWN_DELAY_MS ?? (this.isProduction ? PRODUCTION_SHUTDOWN_DELAY_MS : 0);
  }

  /**
   * After the delay, how long requests in flight may take to finish before their connections are cut:
   * SHUTDOWN_TIMEOUT_MS less the delay and what the final seal, publish and close are kept.
   */
  get shutdownDrainBudgetMs(): number {
    const remaining = Math.max(0, this.SHUTDOWN_TIMEOUT_MS - this.shutdownDelayMs);
    return remaining - Math.min(SHUTDOWN_FINAL_STEPS_MS, remaining / 2);
  }

  /** The demo organization and catalog at start-up: DEMO_SEED, by default on in development; never in production. */
  get demoSeedEnabled(): boolean {
    return !this.isProduction && (this.DEMO_SEED ?? this.NODE_ENV === NodeEnvironment.Development);
  }
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  const shown = SECRET_VARIABLES.has(error.property) ? '' : ` (got ${JSON.stringify(error.value)})`;
  return `${error.property}: ${reasons}${shown}`;
}

function productionProblems(environment: Environment): string[] {
  if (!environment.isProduction) return [];
  const problems: string[] = [];
  if (environment.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    problems.push('JWT_SECRET: must be set to a secret of your own in production');
  }
  if (environment.PAYMENT_WEBHOOK_SECRET === DEVELOPMENT_WEBHOOK_SECRET) {
    problems.push("PAYMENT_WEBHOOK_SECRET: must be set to the payment provider's webhook secret in production");
  }
  if (!environment.DATABASE_URL) {
    problems.push('DATABASE_URL: must be set in production (the embedded database is for development)');
  }
  if (!environment.AUDIT_SIGNING_KEY) {
    problems.push('AUDIT_SIGNING_KEY: must be set in production (an Ed25519 private key, PKCS#8 PEM or its base64)');
  }
  if (containsDevelopmentKey(environment.ENCRYPTION_KEYS)) {
    problems.push('ENCRYPTION_KEYS: must not contain the development key in production');
  }
  return problems;
}

/** Sizes that must fit together; checked once each is valid on its own (`invalid` names those that are not). */
function poolProblems(environment: Environment, invalid: Set<string>): string[] {
  const sizes = ['DATABASE_POOL_SIZE', 'AUDIT_EXPORT_MAX_CONCURRENT', 'AUDIT_VERIFY_MAX_CONCURRENT'];
  if (sizes.some((name) => invalid.has(name))) return [];
  const { DATABASE_POOL_SIZE: pool, AUDIT_EXPORT_MAX_CONCURRENT: exports } = environment;
  if (exports >= pool) {
    return [
      `AUDIT_EXPORT_MAX_CONCURRENT: must be below DATABASE_POOL_SIZE (${pool}); ` +
        'each export holds a connection for its whole download',
    ];
  }
  if (exports + environment.AUDIT_VERIFY_MAX_CONCURRENT >= pool) {
    return [
      `AUDIT_VERIFY_MAX_CONCURRENT: must be below DATABASE_POOL_SIZE (${pool}) less AUDIT_EXPORT_MAX_CONCURRENT ` +
        `(${exports}); each verification holds a connection while it reads the chain`,
    ];
  }
  return [];
}

/** The client's query deadline must leave the server's statement timeout the first word. */
function databaseTimeoutProblems(environment: Environment, invalid: Set<string>): string[] {
  if (invalid.has('DATABASE_QUERY_TIMEOUT_MS') || invalid.has('DATABASE_STATEMENT_TIMEOUT_MS')) return [];
  const statementTimeout = environment.DATABASE_STATEMENT_TIMEOUT_MS;
  if (statementTimeout === 0 || environment.DATABASE_QUERY_TIMEOUT_MS > statementTimeout) return [];
  return [
    `DATABASE_QUERY_TIMEOUT_MS: must be above DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeout}), ` +
      'so that the server cancels a slow statement before the client gives its connection up',
  ];
}

/** The shutdown delay must leave time to drain within the shutdown timeout. */
function shutdownProblems(environment: Environment, invalid: Set<string>): string[] {
  if (invalid.has('SHUTDOWN_DELAY_MS') || invalid.has('SHUTDOWN_TIMEOUT_MS')) return [];
  const delay = environment.shutdownDelayMs;
  if (delay === 0 || delay < environment.SHUTDOWN_TIMEOUT_MS) return [];
  return [
    `SHUTDOWN_DELAY_MS: must be below SHUTDOWN_TIMEOUT_MS (${environment.SHUTDOWN_TIMEOUT_MS}), ` +
      `leaving time to drain (the delay is ${delay} ms)`,
  ];
}

function keyRingProblems(environment: Environment): string[] {
  try {
    KeyRing.parse(environment.ENCRYPTION_KEYS, environment.ENCRYPTION_KEY_ID);
    return [];
  } catch (error) {
    if (error instanceof KeyRingError) return [`ENCRYPTION_KEYS: ${error.message}`];
    throw error;
  }
}

/**
 * Validates the raw environment and returns it typed, or throws one error that
 * names every bad variable. Used by the app, the TypeORM CLI and the tests alike.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.keys(new Environment());
  // An empty variable (`JWT_SECRET=` as in env.example) means "use the default".
  const relevant = Object.fromEntries(
    Object.entries(raw).filter(
      ([key, value]) => known.includes(key) && !(typeof value === 'string' && value.trim() === ''),
    ),
  );
  const environment = plainToInstance(Environment, relevant);
  const invalid = validateSync(environment, { whitelist: false });
  const problems = invalid.map(describe);
  problems.push(...keyRingProblems(environment));
  const invalidNames = new Set(invalid.map((error) => error.property));
  problems.push(...poolProblems(environment, invalidNames));
  problems.push(...databaseTimeoutProblems(environment, invalidNames));
  problems.push(...shutdownProblems(environment, invalidNames));
  problems.push(...productionProblems(environment));
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return environment;
}
