// openapi-check.mjs — every response a server test received, checked against
// the service's OpenAPI description (src/server/openapi.json) with ajv.
//
//   node openapi-check.mjs OPENAPI.json RESPONSES.jsonl
//
// RESPONSES.jsonl has one {"method","path","status","content_type","body"}
// per line (tests/server/milk-server-test.c writes it for /api/v1 paths).
// Prints each mismatch and exits 1 if there was any: a response the
// description does not name (path, method, status or media type) is one,
// except the router's 404 and 405 for what is not the API's.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';

const [docPath, recordsPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const id = 'https://milk-diary.invalid/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: id });

const pointer = (...parts) => '#/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const templates = Object.keys(doc.paths).map((t) => ({
  template: t,
  regex: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
}));

let checked = 0;
const problems = [];
for (const line of readFileSync(recordsPath, 'utf8').split('\n')) {
  if (!line.trim())
    continue;
  const r = JSON.parse(line);
  const where = `${r.method} ${r.path} → ${r.status}`;
  const found = templates.find((t) => t.regex.test(r.path));
  const op = found && doc.paths[found.template][r.method.toLowerCase()];
  if (!op) {
    // The router's own answers to paths and methods that are not the API's.
    if (r.status !== 404 && r.status !== 405)
      problems.push(`${where}: not in the description`);
    continue;
  }
  const status = String(r.status);
  const key = [status, `${status[0]}XX`, 'default'].find((k) => op.responses[k]);
  if (!key) {
    problems.push(`${where}: the description has no ${status} for it`);
    continue;
  }
  let response = op.responses[key];
  let base = pointer('paths', found.template, r.method.toLowerCase(), 'responses', key);
  if (response.$ref) {
    const name = response.$ref.split('/').pop();
    response = doc.components.responses[name];
    base = pointer('components', 'responses', name);
  }
  const type = (r.content_type || '').split(';')[0].trim();
  if (!response.content) {
    if (r.body)
      problems.push(`${where}: a body where the description has none`);
    checked++;
    continue;
  }
  if (!response.content[type]) {
    problems.push(`${where}: ${type || 'no media type'}, not one the description names`);
    continue;
  }
  const validate = ajv.getSchema(id + base + '/content/' + type.replace(/\//g, '~1') + '/schema');
  let body;
  try {
    body = JSON.parse(r.body);
  } catch (e) {
    problems.push(`${where}: not JSON`);
    continue;
  }
  if (!validate(body))
    problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${r.body.slice(0, 300)}`);
  checked++;
}

for (const p of problems)
  console.log(p);
console.log(`${checked} responses checked against ${docPath}, ${problems.length} not as described`);
process.exitCode = problems.length ? 1 : 0;
