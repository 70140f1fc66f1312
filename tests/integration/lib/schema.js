'use strict';
// The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that
// templates/static/openapi.json writes: type (one or a list), required,
// properties, items, enum, $ref into the document.  validate() returns
// the problems, each "path: what", an empty list when value conforms.
const fs = require('node:fs');
const path = require('node:path');

const DOC = path.join(__dirname, '../../../templates/static/openapi.json');

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function validate(schema, value, doc = JSON.parse(fs.readFileSync(DOC, 'utf8')), at = '$') {
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o && o[k], doc);
    if (!target) return [`${at}: no ${schema.$ref} in the document`];
    return validate(target, value, doc, at);
  }
  const problems = [];
  if (schema.type) {
    const want = [].concat(schema.type);
    const got = typeOf(value);
    if (!want.includes(got) && !(got === 'integer' && want.includes('number')))
      return [`${at}: ${got}, want ${want.join(' or ')}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${at}: ${JSON.stringify(value)} is none of ${schema.enum.join(', ')}`);
  if (schema.required && typeOf(value) === 'object')
    for (const k of schema.required)
      if (!(k in value)) problems.push(`${at}: no ${k}`);
  if (schema.properties && typeOf(value) === 'object')
    for (const [k, s] of Object.entries(schema.properties))
      if (k in value) problems.push(...validate(s, value[k], doc, `${at}.${k}`));
  if (schema.items && Array.isArray(value))
    value.forEach((v, i) => problems.push(...validate(schema.items, v, doc, `${at}[${i}]`)));
  return problems;
}

// The schema of a path's answer: doc.paths[p][method].responses[status].
function responseSchema(p, method = 'get', status = '200') {
  const doc = JSON.parse(fs.readFileSync(DOC, 'utf8'));
  return doc.paths[p][method].responses[status].content['application/json'].schema;
}

module.exports = { validate, responseSchema };
