// Runs the @nestjs/swagger CLI plugin under ts-jest with the options nest-cli.json gives it.
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../../nest-cli.json');

const { options } = nestCli.compilerOptions.plugins.find((entry) => entry.name === '@nestjs/swagger');

/**
 * ts-jest's public `compiler.program` is the program of its language service's
 * first state, which does not hold the file being emitted: the plugin's type
 * checker then sees `any` for a handler's `Promise<Dto>` and documents
 * `{ type: object }`. At emit time the language service's own program is the
 * current one. Private shape of ts-jest: fail loudly if an upgrade changes it.
 */
function currentProgram(compiler) {
  const languageService = compiler._languageService;
  if (typeof languageService?.getProgram !== 'function') {
    throw new Error('ts-jest no longer exposes _languageService.getProgram(): update swagger-plugin-transformer.cjs');
  }
  return languageService.getProgram();
}

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: '2',
  factory: (compiler) => plugin.before(options, currentProgram(compiler)),
};
