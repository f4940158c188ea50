/**
 * `npm run openapi:document [-- <file>]`: writes the OpenAPI document the app
 * serves at /docs-json (to dist/openapi.json by default) without a database
 * or any other service: Nest's preview mode reads the modules' controllers and
 * decorators but instantiates no provider, so nothing connects.
 */
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { buildOpenApiDocument } from '../app.openapi';
import { useVersioning } from '../app.setup';
import { validateEnvironment } from '../platform/config/environment';

const DEFAULT_OUTPUT = 'dist/openapi.json';

async function writeOpenApiDocument(output: string): Promise<void> {
  // The defaults, not this shell's variables: the document does not depend on where it is written.
  const environment = validateEnvironment({});
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(environment), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  useVersioning(app);
  writeFileSync(output, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  await app.close();
}

writeOpenApiDocument(process.argv[2] ?? DEFAULT_OUTPUT).catch((error: unknown) => {
  process.stderr.write(`Could not write the OpenAPI document: ${String(error)}\n`);
  process.exit(1);
});
