/** The app as main.ts builds it, plus the benchmark-only write endpoints (bench/audit-bench.module.ts). */
import { createApp } from '../src/app.setup';
import { loadEnvironment } from '../src/platform/config/load-environment';
import { AuditBenchModule } from './audit-bench.module';

async function main(): Promise<void> {
  const environment = loadEnvironment();
  const app = await createApp(environment, [AuditBenchModule]);
  await app.listen({ port: environment.PORT, host: environment.HOST });
  process.stdout.write(`Listening on ${await app.getUrl()}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
