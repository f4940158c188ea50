import { existsSync } from 'node:fs';
import { type Environment, InvalidEnvironmentError, validateEnvironment } from './environment';

/**
 * Reads `.env` when present (real environment variables win), then validates.
 * Shared by the app's entry point and the TypeORM CLI.
 */
export function loadEnvironment(envFile = '.env'): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return validateEnvironment(process.env);
}

/** For entry points: an invalid configuration prints its one message and ends the process. */
export function loadEnvironmentOrExit(): Environment {
  try {
    return loadEnvironment();
  } catch (error) {
    if (!(error instanceof InvalidEnvironmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
