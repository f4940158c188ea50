// Runs the @nestjs/swagger CLI plugin under ts-jest with the options nest-cli.json gives it.
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../../nest-cli.json');

const { options } = nestCli.compilerOptions.plugins.find((entry) => entry.name === '@nestjs/swagger');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: '1',
  factory: (compiler) => plugin.before(options, compiler.program),
};
