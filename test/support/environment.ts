// Read by every test file before it imports anything: logging happens at import time.
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'silent';
// The first admin, created by the bootstrap of whichever test app starts first (see support/identity.ts).
process.env.ADMIN_EMAIL ??= 'admin@test.example.com';
process.env.ADMIN_PASSWORD ??= 'test-only admin passphrase: violet kettle orbit 7391';
// Every test calls from 127.0.0.1, within one budget per limit for all routes; tests of the limits set their own.
process.env.RATE_LIMIT_MAX ??= '100000';
process.env.AUTH_RATE_LIMIT_MAX ??= '100000';
