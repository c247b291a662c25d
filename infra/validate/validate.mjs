#!/usr/bin/env node
// Offline validator for CloudFormation / SAM templates. Usage: node validate.mjs TEMPLATE [TEMPLATE...]
// Exit status: 0 when every template has no error (warnings are printed but do not fail), 1 otherwise,
// 2 on bad usage. See infra/README.md for what it checks and what it cannot check.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseTemplate } from './lib/cfn-yaml.mjs';
import { validateTemplate } from './lib/checks.mjs';
import { Spec } from './lib/spec.mjs';

let cachedSpec;
/** The resource database, loaded once per process (about a second). */
export function loadSpec() {
  cachedSpec ??= new Spec();
  return cachedSpec;
}

/**
 * Validates template text.
 * @returns {{errors: {line?:number, path:string, message:string}[], warnings: {line?:number, path:string, message:string}[]}}
 */
export function validateText(text, { spec = loadSpec() } = {}) {
  const parsed = parseTemplate(text);
  if (parsed.errors.length) return { errors: parsed.errors, warnings: [] };
  const findings = validateTemplate(parsed.template, { spec, lineOf: parsed.lineOf });
  return {
    errors: findings.filter((f) => f.level === 'error'),
    warnings: findings.filter((f) => f.level === 'warning'),
  };
}

export function validateFile(file, options) {
  return validateText(readFileSync(file, 'utf8'), options);
}

function format(file, f) {
  const where = f.line ? `${file}:${f.line}` : file;
  return `${where}  ${f.path ? `${f.path}: ` : ''}${f.message}`;
}

function main(argv) {
  const files = argv.filter((a) => !a.startsWith('-'));
  if (files.length === 0 || argv.includes('--help')) {
    console.error('usage: node validate.mjs TEMPLATE [TEMPLATE...]');
    return 2;
  }
  const spec = loadSpec();
  let failed = 0;
  for (const file of files) {
    const shown = relative(process.cwd(), resolve(file)) || file;
    let result;
    try {
      result = validateFile(file, { spec });
    } catch (e) {
      console.log(`FAIL ${shown}: ${e.message}`);
      failed++;
      continue;
    }
    for (const w of result.warnings) console.log(`  warning  ${format(shown, w)}`);
    for (const e of result.errors) console.log(`  ERROR    ${format(shown, e)}`);
    if (result.errors.length) {
      failed++;
      console.log(`FAIL ${shown}: ${result.errors.length} error(s), ${result.warnings.length} warning(s)`);
    } else {
      console.log(`ok   ${shown}: 0 errors, ${result.warnings.length} warning(s) (${spec.resources.size} resource types known)`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
