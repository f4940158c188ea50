// The validator is ESM-only. A .cjs file is left untransformed by Jest, so this
// `import()` stays native and Jest's VM-modules loader serves it (ts-jest would
// have turned it into a `require`).
module.exports = () => import('@seriousme/openapi-schema-validator');
