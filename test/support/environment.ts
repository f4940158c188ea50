// Read by every test file before it imports anything: logging happens at import time.
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'silent';
// The first admin, created by the bootstrap of whichever test app starts first (see support/identity.ts).
process.env.ADMIN_EMAIL ??= 'admin@test.example.com';
process.env.ADMIN_PASSWORD ??= 'test-only admin passphrase: violet kettle orbit 7391';
// Every test logs in from 127.0.0.1; tests of the auth rate limit set their own.
process.env.AUTH_RATE_LIMIT_MAX ??= '100000';
