// Read by every test file before it imports anything: logging happens at import time.
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'silent';
