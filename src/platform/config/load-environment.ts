import { existsSync } from 'node:fs';
import { type Environment, validateEnvironment } from './environment';

/**
 * Reads `.env` when present (real environment variables win), then validates.
 * Shared by the app's entry point and the TypeORM CLI.
 */
export function loadEnvironment(envFile = '.env'): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return validateEnvironment(process.env);
}
