// The validator's own tests: the real template passes, every broken fixture and every broken variant of the real
// template is rejected, each for the reason it was written for. Run: node --test test/validate.test.mjs  (from infra/validate)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadSpec, validateText } from '../validate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const validator = join(here, '..', 'validate.mjs');
const templatePath = join(here, '..', '..', 'template.yaml');
const fixturesDir = join(here, 'fixtures');
const template = readFileSync(templatePath, 'utf8');
const spec = loadSpec();

const render = (f) => `${f.path ? `${f.path}: ` : ''}${f.message}`;

function assertRejected(text, expected, label) {
  const { errors } = validateText(text, { spec });
  assert.ok(errors.length > 0, `${label}: expected errors, got none`);
  const messages = errors.map(render);
  for (const fragment of expected) {
    assert.ok(
      messages.some((m) => m.includes(fragment)),
      `${label}: no error contains ${JSON.stringify(fragment)}; errors were:\n  ${messages.join('\n  ')}`,
    );
  }
}

test('the real template passes with no errors and no warnings', () => {
  const { errors, warnings } = validateText(template, { spec });
  assert.deepEqual(errors.map(render), []);
  assert.deepEqual(warnings.map(render), []);
});

test('the database knows the resource types the template uses', () => {
  for (const type of ['AWS::Serverless::Function', 'AWS::Serverless::HttpApi', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table',
    'AWS::Logs::LogGroup', 'AWS::Logs::MetricFilter', 'AWS::CloudWatch::Alarm', 'AWS::IAM::Role']) {
    assert.ok(spec.resource(type), type);
  }
  assert.ok(spec.resources.size > 1000, `only ${spec.resources.size} resource types`);
});

const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.yaml')).sort();

test('there are negative fixtures', () => {
  assert.ok(fixtures.length >= 6, fixtures.join(', '));
});

for (const name of fixtures) {
  test(`fixture ${name} is rejected for the stated reason`, () => {
    const text = readFileSync(join(fixturesDir, name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1].trim());
    assert.ok(expected.length > 0, `${name} has no "# expect:" line`);
    assertRejected(text, expected, name);
  });
}

// Small edits of the real template, each a mistake the validator must catch.
const mutations = [
  ['boolean property given a word', 'SqsManagedSseEnabled: true', 'SqsManagedSseEnabled: yes please',
    'SqsManagedSseEnabled: expected boolean'],
  ['SQS event list given a scalar', 'FunctionResponseTypes: [ReportBatchItemFailures]', 'FunctionResponseTypes: ReportBatchItemFailures',
    'FunctionResponseTypes: expected list of string'],
  ['nested property misspelt', 'AttributeName: expiresAt', 'AttributeNme: expiresAt',
    'unknown property AttributeNme for TimeToLiveSpecification'],
  ['GetAtt of an attribute the log group lacks', 'DestinationArn: !GetAtt ApiAccessLogGroup.Arn', 'DestinationArn: !GetAtt ApiAccessLogGroup.Name',
    'AWS::Logs::LogGroup has no attribute Name'],
  ['mapping lacks an allowed timeout', "    '45': {QueueVisibilityTimeout: 270}\n", '',
    'lacks keys for allowed values of ProcessorTimeoutSeconds: 45'],
  ['misspelt resource type', 'Type: AWS::Logs::MetricFilter', 'Type: AWS::Logs::MetricFilters',
    'unknown resource type AWS::Logs::MetricFilters'],
  ['unknown condition in Fn::If', 'AlarmActions: !If [HasAlarmTopic,', 'AlarmActions: !If [HasAlarmTopics,',
    'unknown condition HasAlarmTopics'],
  ['default outside its pattern', 'Default: 72h', 'Default: 72 hours',
    'does not match AllowedPattern'],
  ['dangling Ref in Globals', 'Runtime: !Ref FunctionRuntime', 'Runtime: !Ref FunctionRuntim',
    'Ref to unknown resource or parameter FunctionRuntim'],
  ['SAM pass-through property misspelt', 'MaximumConcurrency: !Ref ProcessorMaxConcurrency', 'MaxConcurrency: !Ref ProcessorMaxConcurrency',
    'unknown property MaxConcurrency for ScalingConfig'],
  ['the database spelling of HttpApi access logs', '      AccessLogSettings:\n', '      AccessLogSetting:\n',
    'unknown property AccessLogSetting for AWS::Serverless::HttpApi'],
  ['dangling Sub variable', '${WebhookSecretsSsmPath}/', '${WebhookSecretPath}/',
    'Fn::Sub ${WebhookSecretPath} to unknown resource or parameter WebhookSecretPath'],
  ['Rules referring to a resource', '!Ref ProcessorBatchSize', '!Ref SyncQueue',
    'Rules may only refer to parameters, not to resource SyncQueue'],
];

for (const [label, from, to, fragment] of mutations) {
  test(`broken real template is rejected: ${label}`, () => {
    assert.ok(template.includes(from), `template no longer contains ${JSON.stringify(from)}`);
    assertRejected(template.replace(from, to), [fragment], label);
  });
}

test('the command line exits 0 on the real template and 1 on a broken one', () => {
  const ok = spawnSync(process.execPath, [validator, templatePath], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok /m);
  const bad = spawnSync(process.execPath, [validator, join(fixturesDir, 'unknown-type.yaml')], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /ERROR .*unknown resource type AWS::SQS::Queu/);
  const usage = spawnSync(process.execPath, [validator], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});
