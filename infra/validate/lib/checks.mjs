// Offline checks of a CloudFormation / SAM template against the CloudFormation resource database.
import { pathString } from './cfn-yaml.mjs';
import { SAM_EVENT_TYPES } from './spec.mjs';

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const LANGUAGE_EXTENSIONS = 'AWS::LanguageExtensions';

const TOP_LEVEL_KEYS = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions',
  'Transform', 'Resources', 'Outputs', 'Globals',
]);
const RESOURCE_KEYS = new Set([
  'Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy',
  'UpdatePolicy', 'CreationPolicy', 'Version',
]);
const SAM_RESOURCE_KEYS = new Set([...RESOURCE_KEYS, 'Connectors', 'IgnoreGlobals']);
const DELETION_POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);
const PARAMETER_KEYS = new Set([
  'Type', 'Default', 'AllowedValues', 'AllowedPattern', 'ConstraintDescription', 'Description', 'MaxLength',
  'MaxValue', 'MinLength', 'MinValue', 'NoEcho',
]);
const PARAMETER_TYPES = new Set([
  'String', 'Number', 'List<Number>', 'CommaDelimitedList', 'AWS::SSM::Parameter::Name',
  'AWS::EC2::AvailabilityZone::Name', 'AWS::EC2::Image::Id', 'AWS::EC2::Instance::Id', 'AWS::EC2::KeyPair::KeyName',
  'AWS::EC2::SecurityGroup::GroupName', 'AWS::EC2::SecurityGroup::Id', 'AWS::EC2::Subnet::Id',
  'AWS::EC2::Volume::Id', 'AWS::EC2::VPC::Id', 'AWS::Route53::HostedZone::Id',
]);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId',
  'AWS::StackName', 'AWS::URLSuffix',
]);
const OUTPUT_KEYS = new Set(['Description', 'Value', 'Export', 'Condition']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const GLOBALS_TYPES = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  StateMachine: 'AWS::Serverless::StateMachine',
  LayerVersion: 'AWS::Serverless::LayerVersion',
};
const RULE_FUNCTIONS = new Set(['Fn::Contains', 'Fn::EachMemberEquals', 'Fn::EachMemberIn', 'Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll']);
const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition']);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** {Ref: x} / {"Fn::X": ...}: a single-key object whose key names an intrinsic function. */
export function intrinsicName(v) {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0];
  return k === 'Ref' || k.startsWith('Fn::') ? k : undefined;
}

function show(value) {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function editDistance(a, b) {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}

function suggest(name, candidates) {
  let best;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = c.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, c);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : '';
}

function typeName(spec, t) {
  if (!t) return '?';
  switch (t.type) {
    case 'ref': return spec.def(t.reference)?.name ?? 'object';
    case 'array': return `list of ${typeName(spec, t.element)}`;
    case 'map': return `map of ${typeName(spec, t.element)}`;
    case 'union': return t.types.map((u) => typeName(spec, u)).join(' | ');
    case 'tag': return 'tag {Key, Value}';
    default: return t.type;
  }
}

export function validateTemplate(template, { spec, lineOf = () => undefined } = {}) {
  const findings = [];
  const add = (level, path, message) => findings.push({ level, path: pathString(path), line: lineOf(path), message });
  const error = (path, message) => add('error', path, message);
  const warn = (path, message) => add('warning', path, message);

  if (!isObject(template)) {
    error([], 'the template must be a mapping');
    return findings;
  }
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL_KEYS.has(key)) error([key], `unknown top-level section ${key}${suggest(key, TOP_LEVEL_KEYS)}`);
  }

  const transforms = [].concat(template.Transform ?? []);
  for (const [i, t] of transforms.entries()) {
    if (typeof t !== 'string' && !isObject(t)) error(['Transform', i], 'a transform is a name or {Name, Parameters}');
  }
  const hasSam = transforms.includes(SAM_TRANSFORM);
  const hasLanguageExtensions = transforms.includes(LANGUAGE_EXTENSIONS);

  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const mappings = isObject(template.Mappings) ? template.Mappings : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  const used = { parameters: new Set(), conditions: new Set(), mappings: new Set() };

  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Rules', 'Metadata', 'Globals']) {
    if (template[section] !== undefined && !isObject(template[section])) error([section], `${section} must be a mapping`);
  }
  if (!isObject(template.Resources) || Object.keys(template.Resources).length === 0) {
    error(['Resources'], 'Resources is required and must declare at least one resource');
  }

  // ------------------------------------------------------------------ resource types and SAM's implicit ones
  const types = new Map(); // logical id -> type (declared)
  for (const [id, res] of Object.entries(resources)) {
    if (isObject(res) && typeof res.Type === 'string') types.set(id, res.Type);
  }
  const implicit = implicitSamResources(resources, template.Globals);
  const refOnly = implicit.refOnly;

  // ------------------------------------------------------------------ parameters
  for (const [name, p] of Object.entries(parameters)) {
    const path = ['Parameters', name];
    if (!/^[A-Za-z0-9]+$/.test(name)) error(path, 'parameter names must be alphanumeric');
    if (!isObject(p)) {
      error(path, 'a parameter must be a mapping');
      continue;
    }
    for (const key of Object.keys(p)) {
      if (!PARAMETER_KEYS.has(key)) error([...path, key], `unknown parameter attribute ${key}${suggest(key, PARAMETER_KEYS)}`);
    }
    checkParameter(name, p, path, { error, warn });
  }

  // ------------------------------------------------------------------ mappings
  for (const [name, m] of Object.entries(mappings)) {
    if (!isObject(m)) {
      error(['Mappings', name], 'a mapping must be a mapping of keys');
      continue;
    }
    for (const [key, entry] of Object.entries(m)) {
      if (!isObject(entry)) error(['Mappings', name, key], 'each mapping key must hold name: value pairs');
      else for (const [k, v] of Object.entries(entry)) {
        if (isObject(v)) error(['Mappings', name, key, k], 'mapping values are strings or lists');
      }
    }
  }

  // ------------------------------------------------------------------ intrinsic functions and references
  const ctx = { spec, parameters, mappings, conditions, types, implicit, refOnly, used, error, warn, hasLanguageExtensions };

  for (const [name, cond] of Object.entries(conditions)) walk(cond, ['Conditions', name], 'conditions', ctx);
  if (isObject(template.Rules)) {
    for (const [name, rule] of Object.entries(template.Rules)) {
      const path = ['Rules', name];
      if (!isObject(rule)) {
        error(path, 'a rule must be a mapping');
        continue;
      }
      for (const key of Object.keys(rule)) {
        if (key !== 'RuleCondition' && key !== 'Assertions') error([...path, key], `unknown rule attribute ${key}`);
      }
      if (!Array.isArray(rule.Assertions) || rule.Assertions.length === 0) error(path, 'a rule needs a list of Assertions');
      else rule.Assertions.forEach((a, i) => {
        if (!isObject(a) || a.Assert === undefined) error([...path, 'Assertions', i], 'each assertion needs Assert');
        else for (const key of Object.keys(a)) {
          if (key !== 'Assert' && key !== 'AssertDescription') error([...path, 'Assertions', i, key], `unknown assertion attribute ${key}`);
        }
      });
      walk(rule, path, 'rules', ctx);
    }
  }

  // ------------------------------------------------------------------ Globals (SAM)
  if (template.Globals !== undefined) {
    if (!hasSam) error(['Globals'], `Globals needs Transform: ${SAM_TRANSFORM}`);
    else if (isObject(template.Globals)) {
      for (const [section, props] of Object.entries(template.Globals)) {
        const type = GLOBALS_TYPES[section];
        const path = ['Globals', section];
        if (!type) {
          error(path, `unknown Globals section ${section}${suggest(section, Object.keys(GLOBALS_TYPES))}`);
          continue;
        }
        if (!isObject(props)) {
          error(path, 'a Globals section must be a mapping');
          continue;
        }
        const r = spec.resource(type);
        for (const [k, v] of Object.entries(props)) {
          if (!r.properties[k]) error([...path, k], `unknown property ${k} for ${type}${suggest(k, Object.keys(r.properties))}`);
          else for (const f of typeFindings(v, r.properties[k].type, [...path, k], ctx)) error(f.path, f.message);
        }
        walk(props, path, 'resources', ctx);
      }
    }
  }

  // ------------------------------------------------------------------ resources
  for (const [id, res] of Object.entries(resources)) {
    const path = ['Resources', id];
    if (!/^[A-Za-z0-9]+$/.test(id)) error(path, 'logical ids must be alphanumeric');
    if (!isObject(res)) {
      error(path, 'a resource must be a mapping');
      continue;
    }
    const type = res.Type;
    if (typeof type !== 'string') {
      error(path, 'missing Type');
      continue;
    }
    const isCustom = type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
    const r = spec.resource(type);
    const allowedKeys = type.startsWith('AWS::Serverless::') ? SAM_RESOURCE_KEYS : RESOURCE_KEYS;
    for (const key of Object.keys(res)) {
      if (!allowedKeys.has(key)) error([...path, key], `unknown resource attribute ${key}${suggest(key, allowedKeys)}`);
    }
    if (res.Condition !== undefined) checkConditionName(res.Condition, [...path, 'Condition'], ctx);
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      if (typeof res[policy] === 'string' && !DELETION_POLICIES.has(res[policy])) {
        error([...path, policy], `${policy} must be one of ${[...DELETION_POLICIES].join(', ')}`);
      }
    }
    if (res.DependsOn !== undefined) {
      const deps = [].concat(res.DependsOn);
      deps.forEach((d, i) => {
        const p = Array.isArray(res.DependsOn) ? [...path, 'DependsOn', i] : [...path, 'DependsOn'];
        if (typeof d !== 'string') error(p, 'DependsOn names resources by logical id');
        else if (!types.has(d) && !implicit.types.has(d)) error(p, `DependsOn unknown resource ${d}${suggest(d, types.keys())}`);
        else if (d === id) error(p, 'a resource cannot depend on itself');
      });
    }
    if (isCustom) {
      if (!isObject(res.Properties) || res.Properties.ServiceToken === undefined) error(path, 'custom resources need Properties.ServiceToken');
    } else if (!r) {
      error([...path, 'Type'], `unknown resource type ${type}${suggest(type, spec.resources.keys())}`);
    } else {
      if (r.cloudFormationTransform && !transforms.includes(r.cloudFormationTransform)) {
        error([...path, 'Type'], `${type} needs Transform: ${r.cloudFormationTransform}`);
      }
      if (res.Properties !== undefined && !isObject(res.Properties)) error([...path, 'Properties'], 'Properties must be a mapping');
      else {
        const props = res.Properties ?? {};
        for (const f of propertiesFindings(props, r.properties, [...path, 'Properties'], type, ctx, { globals: globalsFor(type, template.Globals) })) {
          error(f.path, f.message);
        }
      }
    }
    walk(res.Properties, [...path, 'Properties'], 'resources', ctx);
    checkPolicies(res.Properties, [...path, 'Properties'], ctx);
  }

  // ------------------------------------------------------------------ outputs
  if (isObject(template.Outputs)) {
    for (const [name, out] of Object.entries(template.Outputs)) {
      const path = ['Outputs', name];
      if (!isObject(out)) {
        error(path, 'an output must be a mapping');
        continue;
      }
      for (const key of Object.keys(out)) {
        if (!OUTPUT_KEYS.has(key)) error([...path, key], `unknown output attribute ${key}${suggest(key, OUTPUT_KEYS)}`);
      }
      if (out.Value === undefined || out.Value === null) error(path, 'an output needs a Value');
      if (out.Condition !== undefined) checkConditionName(out.Condition, [...path, 'Condition'], ctx);
      if (out.Export !== undefined && (!isObject(out.Export) || out.Export.Name === undefined)) error([...path, 'Export'], 'Export needs a Name');
      walk(out, path, 'outputs', ctx);
    }
  }

  // ------------------------------------------------------------------ metadata referring to parameters
  const iface = isObject(template.Metadata) ? template.Metadata['AWS::CloudFormation::Interface'] : undefined;
  if (isObject(iface)) {
    (Array.isArray(iface.ParameterGroups) ? iface.ParameterGroups : []).forEach((g, i) => {
      (Array.isArray(g?.Parameters) ? g.Parameters : []).forEach((p, j) => {
        if (!(p in parameters)) error(['Metadata', 'AWS::CloudFormation::Interface', 'ParameterGroups', i, 'Parameters', j], `parameter group lists unknown parameter ${p}`);
      });
    });
    for (const p of Object.keys(isObject(iface.ParameterLabels) ? iface.ParameterLabels : {})) {
      if (!(p in parameters)) error(['Metadata', 'AWS::CloudFormation::Interface', 'ParameterLabels', p], `label for unknown parameter ${p}`);
    }
  }

  // ------------------------------------------------------------------ unused declarations
  for (const name of Object.keys(parameters)) if (!used.parameters.has(name)) warn(['Parameters', name], `parameter ${name} is never used`);
  for (const name of Object.keys(conditions)) if (!used.conditions.has(name)) warn(['Conditions', name], `condition ${name} is never used`);
  for (const name of Object.keys(mappings)) if (!used.mappings.has(name)) warn(['Mappings', name], `mapping ${name} is never used`);

  return findings;
}

// ===================================================================================================== parameters

function checkParameter(name, p, path, { error, warn }) {
  const type = p.Type;
  if (typeof type !== 'string') {
    error(path, 'a parameter needs a Type');
    return;
  }
  const typeOk = PARAMETER_TYPES.has(type)
    || /^List<AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>$/.test(type)
    || /^AWS::SSM::Parameter::Value<.+>$/.test(type);
  if (!typeOk) error([...path, 'Type'], `unknown parameter type ${type}${suggest(type, PARAMETER_TYPES)}`);
  const isNumber = type === 'Number';
  const isString = type === 'String';

  for (const key of ['MinValue', 'MaxValue']) {
    if (p[key] !== undefined && !isNumber) error([...path, key], `${key} applies to Number parameters only`);
    if (p[key] !== undefined && !Number.isFinite(Number(p[key]))) error([...path, key], `${key} must be a number`);
  }
  for (const key of ['MinLength', 'MaxLength']) {
    if (p[key] !== undefined && !isString) error([...path, key], `${key} applies to String parameters only`);
    if (p[key] !== undefined && !Number.isInteger(Number(p[key]))) error([...path, key], `${key} must be an integer`);
  }
  if (p.AllowedValues !== undefined && !Array.isArray(p.AllowedValues)) error([...path, 'AllowedValues'], 'AllowedValues must be a list');
  let pattern;
  if (p.AllowedPattern !== undefined) {
    if (typeof p.AllowedPattern !== 'string') error([...path, 'AllowedPattern'], 'AllowedPattern must be a string');
    else {
      try {
        pattern = new RegExp(`^(?:${p.AllowedPattern})$`, 'u');
      } catch (e) {
        warn([...path, 'AllowedPattern'], `AllowedPattern cannot be checked here (${e.message})`);
      }
    }
  }
  if (isNumber && Array.isArray(p.AllowedValues)) {
    p.AllowedValues.forEach((v, i) => {
      if (!Number.isFinite(Number(v)) || String(v).trim() === '') error([...path, 'AllowedValues', i], `allowed value ${show(v)} of a Number parameter is not a number`);
    });
  }
  if (p.Default === undefined) return;
  const d = p.Default;
  const dp = [...path, 'Default'];
  if (d === null || isObject(d)) {
    error(dp, `Default must be a scalar, got ${show(d)}`);
    return;
  }
  const values = type === 'CommaDelimitedList' || type.startsWith('List<')
    ? (Array.isArray(d) ? d : String(d).split(',')).map((s) => String(s).trim())
    : [Array.isArray(d) ? null : d];
  if (values.includes(null)) {
    error(dp, `Default of a ${type} parameter must be a scalar, got ${show(d)}`);
    return;
  }
  for (const v of values) {
    if (isNumber || type === 'List<Number>') {
      const n = Number(v);
      if (String(v).trim() === '' || !Number.isFinite(n)) {
        error(dp, `Default ${show(v)} is not a number`);
        continue;
      }
      if (p.MinValue !== undefined && n < Number(p.MinValue)) error(dp, `Default ${v} is below MinValue ${p.MinValue}`);
      if (p.MaxValue !== undefined && n > Number(p.MaxValue)) error(dp, `Default ${v} is above MaxValue ${p.MaxValue}`);
      if (Array.isArray(p.AllowedValues) && !p.AllowedValues.some((a) => Number(a) === n)) {
        error(dp, `Default ${show(v)} is not one of AllowedValues ${show(p.AllowedValues)}`);
      }
    } else {
      const s = String(v);
      if (Array.isArray(p.AllowedValues) && !p.AllowedValues.map(String).includes(s)) {
        error(dp, `Default ${show(s)} is not one of AllowedValues ${show(p.AllowedValues)}`);
      }
      if (pattern && !pattern.test(s)) error(dp, `Default ${show(s)} does not match AllowedPattern ${p.AllowedPattern}`);
      if (p.MinLength !== undefined && s.length < Number(p.MinLength)) error(dp, `Default is shorter than MinLength ${p.MinLength}`);
      if (p.MaxLength !== undefined && s.length > Number(p.MaxLength)) error(dp, `Default is longer than MaxLength ${p.MaxLength}`);
    }
  }
  if (Array.isArray(p.AllowedValues) && pattern) {
    p.AllowedValues.forEach((v, i) => {
      if (!pattern.test(String(v))) error([...path, 'AllowedValues', i], `allowed value ${show(v)} does not match AllowedPattern`);
    });
  }
}

// ===================================================================================================== SAM implicit resources

function globalsFor(type, globals) {
  if (!isObject(globals)) return {};
  for (const [section, t] of Object.entries(GLOBALS_TYPES)) {
    if (t === type && isObject(globals[section])) return globals[section];
  }
  return {};
}

/** Resources the SAM transform generates, which templates may Ref / GetAtt by their generated logical ids. */
export function implicitSamResources(resources, globals) {
  const types = new Map();
  const refOnly = new Set();
  const fnGlobals = globalsFor('AWS::Serverless::Function', globals);
  let serverlessHttpApi = false;
  let serverlessRestApi = false;
  for (const [id, res] of Object.entries(resources)) {
    if (!isObject(res)) continue;
    const props = isObject(res.Properties) ? res.Properties : {};
    switch (res.Type) {
      case 'AWS::Serverless::Function': {
        if (props.Role === undefined && fnGlobals.Role === undefined) types.set(`${id}Role`, 'AWS::IAM::Role');
        if (props.AutoPublishAlias !== undefined || fnGlobals.AutoPublishAlias !== undefined) {
          refOnly.add(`${id}.Alias`);
          refOnly.add(`${id}.Version`);
        }
        if (props.FunctionUrlConfig !== undefined) types.set(`${id}Url`, 'AWS::Lambda::Url');
        for (const [eventId, event] of Object.entries(isObject(props.Events) ? props.Events : {})) {
          const name = `${id}${eventId}`;
          const eprops = isObject(event?.Properties) ? event.Properties : {};
          switch (event?.Type) {
            case 'SQS': case 'Kinesis': case 'DynamoDB': case 'MSK': case 'MQ': case 'SelfManagedKafka': case 'DocumentDB':
              types.set(name, 'AWS::Lambda::EventSourceMapping');
              break;
            case 'Schedule': case 'CloudWatchEvent': case 'EventBridgeRule':
              types.set(name, 'AWS::Events::Rule');
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
              break;
            case 'ScheduleV2':
              types.set(name, 'AWS::Scheduler::Schedule');
              break;
            case 'SNS':
              types.set(name, 'AWS::SNS::Subscription');
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
              break;
            case 'CloudWatchLogs':
              types.set(name, 'AWS::Logs::SubscriptionFilter');
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
              break;
            case 'HttpApi':
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
              if (eprops.ApiId === undefined) serverlessHttpApi = true;
              break;
            case 'Api':
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
              if (eprops.RestApiId === undefined) serverlessRestApi = true;
              break;
            default:
              types.set(`${name}Permission`, 'AWS::Lambda::Permission');
          }
        }
        break;
      }
      case 'AWS::Serverless::HttpApi':
        if (props.StageName === undefined) types.set(`${id}ApiGatewayDefaultStage`, 'AWS::ApiGatewayV2::Stage');
        refOnly.add(`${id}.Stage`);
        refOnly.add(`${id}.DomainName`);
        break;
      case 'AWS::Serverless::Api':
        refOnly.add(`${id}.Stage`);
        refOnly.add(`${id}.Deployment`);
        refOnly.add(`${id}.DomainName`);
        break;
      case 'AWS::Serverless::StateMachine':
        if (props.Role === undefined) types.set(`${id}Role`, 'AWS::IAM::Role');
        break;
      default:
    }
  }
  if (serverlessHttpApi) {
    types.set('ServerlessHttpApi', 'AWS::ApiGatewayV2::Api');
    types.set('ServerlessHttpApiApiGatewayDefaultStage', 'AWS::ApiGatewayV2::Stage');
  }
  if (serverlessRestApi) {
    types.set('ServerlessRestApi', 'AWS::ApiGateway::RestApi');
    types.set('ServerlessRestApiProdStage', 'AWS::ApiGateway::Stage');
  }
  for (const id of Object.keys(resources)) types.delete(id); // a declared resource always wins
  return { types, refOnly };
}

// ===================================================================================================== property types

/** Properties of a resource or of a property type: names, nulls, required, and each value's type. */
function propertiesFindings(props, specProps, path, owner, ctx, { globals = {} } = {}) {
  const out = [];
  for (const [key, value] of Object.entries(props)) {
    const p = specProps[key];
    if (!p) {
      out.push({ path: [...path, key], message: `unknown property ${key} for ${owner}${suggest(key, Object.keys(specProps))}` });
      continue;
    }
    out.push(...typeFindings(value, p.type, [...path, key], ctx));
  }
  for (const [key, p] of Object.entries(specProps)) {
    if (p.required && props[key] === undefined && globals[key] === undefined) {
      out.push({ path, message: `missing required property ${key} for ${owner}` });
    }
  }
  return out;
}

/** What kind of value an intrinsic function produces: list, string, scalar, novalue or any. */
function intrinsicKind(v, ctx) {
  const fn = intrinsicName(v);
  const arg = v[fn];
  switch (fn) {
    case 'Ref': {
      if (arg === 'AWS::NoValue') return 'novalue';
      if (arg === 'AWS::NotificationARNs') return 'list';
      const p = ctx.parameters[arg];
      if (isObject(p) && typeof p.Type === 'string') {
        return p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<') || /^AWS::SSM::Parameter::Value<(List<|CommaDelimitedList)/.test(p.Type) ? 'list' : 'scalar';
      }
      return typeof arg === 'string' && (ctx.types.has(arg) || ctx.implicit.types.has(arg)) ? 'string' : 'any';
    }
    case 'Fn::GetAtt': {
      const [res, attr] = Array.isArray(arg) ? arg : [];
      const type = ctx.types.get(res) ?? ctx.implicit.types.get(res);
      const attrs = type ? ctx.spec.attributes(type) : null;
      const a = attrs && typeof attr === 'string' ? attrs[attr] : undefined;
      if (!a) return 'any';
      return a.type?.type === 'array' ? 'list' : 'scalar';
    }
    case 'Fn::Sub': case 'Fn::Join': case 'Fn::Base64': case 'Fn::ToJsonString': case 'Fn::ImportValue':
      return 'string';
    case 'Fn::Split': case 'Fn::GetAZs': case 'Fn::Cidr':
      return 'list';
    case 'Fn::Length':
      return 'scalar';
    case 'Fn::FindInMap': {
      const map = Array.isArray(arg) && typeof arg[0] === 'string' ? ctx.mappings[arg[0]] : undefined;
      if (!isObject(map)) return 'any';
      const kinds = new Set();
      for (const entry of Object.values(map)) {
        if (!isObject(entry)) continue;
        for (const [k, val] of Object.entries(entry)) {
          if (typeof arg[2] === 'string' && k !== arg[2]) continue;
          kinds.add(Array.isArray(val) ? 'list' : 'scalar');
        }
      }
      return kinds.size === 1 ? [...kinds][0] : 'any';
    }
    default:
      return 'any';
  }
}

function kindAccepted(t, kind) {
  if (kind === 'any' || kind === 'novalue') return true;
  switch (t.type) {
    case 'json': return true;
    case 'union': return t.types.some((u) => kindAccepted(u, kind));
    case 'array': return kind === 'list';
    case 'ref': case 'map': case 'tag': return false;
    default: return kind !== 'list'; // string, number, integer, boolean, date-time
  }
}

function primitiveOk(value, type) {
  switch (type) {
    case 'string': case 'date-time':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
    case 'integer':
      return Number.isInteger(value) || (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()));
    case 'boolean':
      return typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value));
    default:
      return true;
  }
}

function shapeOf(value) {
  if (Array.isArray(value)) return 'list';
  if (isObject(value)) return 'object';
  return 'scalar';
}

function typeShapes(t) {
  switch (t.type) {
    case 'array': return ['list'];
    case 'ref': case 'map': case 'tag': return ['object'];
    case 'json': return ['object', 'list']; // a JSON document, not a string (string-accepting properties say so)
    case 'union': return t.types.flatMap(typeShapes);
    default: return ['scalar'];
  }
}

/** Findings ({path, message}) for one value against one type from the database. */
function typeFindings(value, t, path, ctx) {
  const here = path;
  if (!t) return [];
  if (value === null || value === undefined) return [{ path: here, message: 'null value (CloudFormation rejects nulls; remove the key or give a value)' }];

  const fn = intrinsicName(value);
  if (fn === 'Fn::If') {
    const arg = value[fn];
    if (!Array.isArray(arg) || arg.length !== 3) return []; // reported by walk()
    return [
      ...typeFindings(arg[1], t, [...path, fn, 1], ctx),
      ...typeFindings(arg[2], t, [...path, fn, 2], ctx),
    ];
  }
  if (fn) {
    const kind = intrinsicKind(value, ctx);
    if (kind === 'novalue') return [];
    if (!kindAccepted(t, kind)) {
      return [{ path: here, message: `${fn} yields a ${kind === 'list' ? 'list' : 'string'} but ${typeName(ctx.spec, t)} is expected` }];
    }
    return [];
  }

  switch (t.type) {
    case 'json':
      if (!isObject(value) && !Array.isArray(value)) return [{ path: here, message: `expected a JSON object, got ${show(value)}` }];
      return [];
    case 'union': {
      const shape = shapeOf(value);
      const candidates = t.types.filter((u) => typeShapes(u).includes(shape));
      if (candidates.length === 0) {
        return [{ path: here, message: `expected ${typeName(ctx.spec, t)}, got ${show(value)}` }];
      }
      let best;
      for (const u of candidates) {
        const f = typeFindings(value, u, path, ctx);
        if (f.length === 0) return [];
        if (!best || f.length < best.length) best = f;
      }
      return best;
    }
    case 'array':
      if (!Array.isArray(value)) return [{ path: here, message: `expected ${typeName(ctx.spec, t)}, got ${show(value)}` }];
      return value.flatMap((v, i) => typeFindings(v, t.element, [...path, i], ctx));
    case 'map':
      if (!isObject(value)) return [{ path: here, message: `expected ${typeName(ctx.spec, t)}, got ${show(value)}` }];
      return Object.entries(value).flatMap(([k, v]) => typeFindings(v, t.element, [...path, k], ctx));
    case 'tag': {
      if (!isObject(value)) return [{ path: here, message: `expected a tag {Key, Value}, got ${show(value)}` }];
      const out = [];
      for (const k of Object.keys(value)) if (k !== 'Key' && k !== 'Value') out.push({ path: [...path, k], message: `unknown tag attribute ${k}` });
      for (const k of ['Key', 'Value']) {
        if (value[k] === undefined) out.push({ path: here, message: `a tag needs ${k}` });
        else out.push(...typeFindings(value[k], { type: 'string' }, [...path, k], ctx));
      }
      return out;
    }
    case 'ref': {
      const def = ctx.spec.def(t.reference);
      if (!def) return [];
      if (!isObject(value)) return [{ path: here, message: `expected ${def.name} (an object), got ${show(value)}` }];
      if (def.name === 'EventSource' && def.properties.Type && def.properties.Properties) return samEventFindings(value, path, ctx);
      return propertiesFindings(value, def.properties, path, def.name, ctx);
    }
    default:
      if (Array.isArray(value) || isObject(value) || !primitiveOk(value, t.type)) {
        return [{ path: here, message: `expected ${t.type}, got ${show(value)}` }];
      }
      return [];
  }
}

/** A SAM Function event: Type picks the property type of Properties. */
function samEventFindings(value, path, ctx) {
  const here = path;
  const out = [];
  for (const k of Object.keys(value)) {
    if (k !== 'Type' && k !== 'Properties') out.push({ path: [...path, k], message: `unknown event attribute ${k}` });
  }
  const type = value.Type;
  if (typeof type !== 'string') return [...out, { path: here, message: 'an event needs a Type' }];
  if (!(type in SAM_EVENT_TYPES)) {
    return [...out, { path: [...path, 'Type'], message: `unknown SAM event type ${type}${suggest(type, Object.keys(SAM_EVENT_TYPES))}` }];
  }
  const defName = SAM_EVENT_TYPES[type];
  if (!defName) {
    ctx.warn(path, `SAM event type ${type} is not modelled offline; its Properties are not checked`);
    return out;
  }
  const def = ctx.spec.findDef('AWS::Serverless::Function', defName);
  if (value.Properties === undefined) {
    if (Object.values(def.properties).some((p) => p.required)) out.push({ path: here, message: `a ${type} event needs Properties` });
    return out;
  }
  return [...out, ...typeFindings(value.Properties, { type: 'ref', reference: { $ref: def.$id } }, [...path, 'Properties'], ctx)];
}

// ===================================================================================================== references

function checkConditionName(name, path, ctx) {
  if (typeof name !== 'string') {
    ctx.error(path, 'a condition is named by a string');
    return;
  }
  if (!(name in ctx.conditions)) ctx.error(path, `unknown condition ${name}${suggest(name, Object.keys(ctx.conditions))}`);
  else ctx.used.conditions.add(name);
}

function checkRef(name, path, scope, ctx, via = 'Ref') {
  if (typeof name !== 'string') {
    ctx.error(path, `${via} takes a logical id or parameter name, got ${show(name)}`);
    return;
  }
  if (PSEUDO_PARAMETERS.has(name)) return;
  if (name in ctx.parameters) {
    ctx.used.parameters.add(name);
    return;
  }
  const isResource = ctx.types.has(name) || ctx.implicit.types.has(name) || ctx.refOnly.has(name);
  if (isResource && (scope === 'conditions' || scope === 'rules')) {
    ctx.error(path, `${scope === 'rules' ? 'Rules' : 'Conditions'} may only refer to parameters, not to resource ${name}`);
    return;
  }
  if (isResource) return;
  const candidates = [...Object.keys(ctx.parameters), ...ctx.types.keys(), ...ctx.implicit.types.keys(), ...PSEUDO_PARAMETERS];
  ctx.error(path, `${via} to unknown resource or parameter ${name}${suggest(name, candidates)}`);
}

function checkGetAtt(res, attr, path, scope, ctx, via = 'Fn::GetAtt') {
  if (typeof res !== 'string') {
    ctx.error(path, `${via} needs a logical id, got ${show(res)}`);
    return;
  }
  if (scope === 'conditions' || scope === 'rules') {
    ctx.error(path, `${via} cannot be used in ${scope === 'rules' ? 'Rules' : 'Conditions'}`);
    return;
  }
  if (res in ctx.parameters) {
    ctx.error(path, `${via} on parameter ${res}: parameters have no attributes, use Ref`);
    return;
  }
  const type = ctx.types.get(res) ?? ctx.implicit.types.get(res);
  if (!type) {
    ctx.error(path, `${via} of unknown resource ${res}${suggest(res, [...ctx.types.keys(), ...ctx.implicit.types.keys()])}`);
    return;
  }
  if (typeof attr !== 'string') return; // attribute chosen at deploy time (e.g. !Ref): not checkable
  const attrs = ctx.spec.attributes(type);
  if (attrs === null) return; // custom resources and types the database does not know
  if (type === 'AWS::CloudFormation::Stack' || type === 'AWS::Serverless::Application') {
    if (attr.startsWith('Outputs.')) return;
  }
  const names = Object.keys(attrs);
  if (names.length === 0) {
    ctx.error(path, `${via} ${res}.${attr}: ${type} has no attributes`);
    return;
  }
  if (!(attr in attrs)) ctx.error(path, `${via} ${res}.${attr}: ${type} has no attribute ${attr}${suggest(attr, names)} (it has ${names.join(', ')})`);
}

function checkSub(arg, path, scope, ctx) {
  let text;
  let vars = {};
  if (typeof arg === 'string') text = arg;
  else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && isObject(arg[1])) {
    [text, vars] = arg;
  } else {
    ctx.error(path, 'Fn::Sub takes a string or [string, {variables}]');
    return;
  }
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1].trim();
    if (name.startsWith('!')) continue; // ${!Literal}
    if (name in vars) continue;
    if (name === '') {
      ctx.error(path, 'Fn::Sub has an empty ${}');
      continue;
    }
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::') && !ctx.refOnly.has(name)) {
      checkGetAtt(name.slice(0, dot), name.slice(dot + 1), path, scope, ctx, `Fn::Sub \${${name}}`);
    } else {
      checkRef(name, path, scope, ctx, `Fn::Sub \${${name}}`);
    }
  }
}

function checkFindInMap(arg, path, ctx) {
  if (!Array.isArray(arg) || arg.length < 3 || arg.length > 4) {
    ctx.error(path, 'Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]');
    return;
  }
  const [mapName, k1, k2] = arg;
  if (typeof mapName !== 'string') return;
  const map = ctx.mappings[mapName];
  if (!isObject(map)) {
    ctx.error(path, `Fn::FindInMap: unknown mapping ${mapName}${suggest(mapName, Object.keys(ctx.mappings))}`);
    return;
  }
  ctx.used.mappings.add(mapName);
  const hasDefault = arg.length === 4;
  let entries = Object.values(map);
  if (typeof k1 === 'string' || typeof k1 === 'number') {
    if (!(String(k1) in map)) {
      if (!hasDefault) ctx.error(path, `Fn::FindInMap: mapping ${mapName} has no key ${k1}${suggest(String(k1), Object.keys(map))}`);
      return;
    }
    entries = [map[String(k1)]];
  } else if (intrinsicName(k1) === 'Ref' && typeof k1.Ref === 'string' && isObject(ctx.parameters[k1.Ref])) {
    const p = ctx.parameters[k1.Ref];
    if (Array.isArray(p.AllowedValues)) {
      const missing = p.AllowedValues.map(String).filter((v) => !(v in map));
      if (missing.length && !hasDefault) {
        ctx.error(path, `Fn::FindInMap: mapping ${mapName} lacks keys for allowed values of ${k1.Ref}: ${missing.join(', ')}`);
      }
    } else if (p.Default !== undefined && !(String(p.Default) in map) && !hasDefault) {
      ctx.error(path, `Fn::FindInMap: mapping ${mapName} has no key for the default of ${k1.Ref} (${p.Default})`);
    } else if (!hasDefault) {
      ctx.warn(path, `Fn::FindInMap: ${k1.Ref} has no AllowedValues, so a deploy-time value may miss mapping ${mapName}`);
    }
  }
  if (typeof k2 === 'string' || typeof k2 === 'number') {
    for (const entry of entries) {
      if (isObject(entry) && !(String(k2) in entry) && !hasDefault) {
        ctx.error(path, `Fn::FindInMap: mapping ${mapName} has an entry without ${k2}`);
        break;
      }
    }
  }
}

/** Walks a subtree, checking every intrinsic function's shape and every reference it makes. */
function walk(node, path, scope, ctx) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, [...path, i], scope, ctx));
    return;
  }
  if (!isObject(node)) return;
  const keys = Object.keys(node);
  if (scope === 'conditions' && keys.length === 1 && keys[0] === 'Condition') {
    checkConditionName(node.Condition, path, ctx);
    return;
  }
  const fn = intrinsicName(node);
  if (!fn) {
    for (const k of keys) {
      if (k.startsWith('Fn::') || k === 'Ref') ctx.error([...path, k], `${k} must be the only key of its mapping`);
      walk(node[k], [...path, k], scope, ctx);
    }
    return;
  }
  const arg = node[fn];
  const p = [...path, fn];
  if (RULE_FUNCTIONS.has(fn) && scope !== 'rules') ctx.error(p, `${fn} is only allowed in Rules`);
  if (scope === 'conditions' && !CONDITION_FUNCTIONS.has(fn) && !['Ref', 'Fn::FindInMap', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Base64', 'Fn::GetAZs'].includes(fn)) {
    ctx.error(p, `${fn} is not allowed in Conditions`);
  }
  const needsList = (min, max, what) => {
    if (!Array.isArray(arg) || arg.length < min || arg.length > max) {
      ctx.error(p, `${fn} takes ${what}`);
      return false;
    }
    return true;
  };
  switch (fn) {
    case 'Ref':
      checkRef(arg, p, scope, ctx);
      return;
    case 'Fn::GetAtt':
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        checkGetAtt(arg.slice(0, dot < 0 ? arg.length : dot), dot < 0 ? undefined : arg.slice(dot + 1), p, scope, ctx);
        if (dot < 0) ctx.error(p, 'Fn::GetAtt takes [LogicalId, Attribute]');
      } else if (needsList(2, 2, '[LogicalId, Attribute]')) {
        checkGetAtt(arg[0], arg[1], p, scope, ctx);
        walk(arg[1], [...p, 1], scope, ctx);
      }
      return;
    case 'Fn::Sub':
      checkSub(arg, p, scope, ctx);
      if (Array.isArray(arg)) walk(arg[1], [...p, 1], scope, ctx);
      return;
    case 'Fn::If':
      if (scope === 'conditions' || scope === 'rules') ctx.error(p, `Fn::If is not allowed in ${scope === 'rules' ? 'Rules' : 'Conditions'}`);
      if (needsList(3, 3, '[ConditionName, ValueIfTrue, ValueIfFalse]')) {
        checkConditionName(arg[0], [...p, 0], ctx);
        walk(arg[1], [...p, 1], scope, ctx);
        walk(arg[2], [...p, 2], scope, ctx);
      }
      return;
    case 'Fn::FindInMap':
      checkFindInMap(arg, p, ctx);
      walk(arg, p, scope, ctx);
      return;
    case 'Fn::Equals':
      if (needsList(2, 2, '[value1, value2]')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::Not':
      if (needsList(1, 1, '[condition]')) walk(arg, p, 'conditions' === scope ? scope : scope, ctx);
      return;
    case 'Fn::And': case 'Fn::Or':
      if (needsList(2, 10, 'a list of 2 to 10 conditions')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::Join':
      if (needsList(2, 2, '[delimiter, [values]]')) {
        if (typeof arg[0] !== 'string') ctx.error([...p, 0], 'Fn::Join delimiter must be a string');
        if (!Array.isArray(arg[1]) && !intrinsicName(arg[1])) ctx.error([...p, 1], 'Fn::Join joins a list');
        walk(arg[1], [...p, 1], scope, ctx);
      }
      return;
    case 'Fn::Select':
      if (needsList(2, 2, '[index, list]')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::Split':
      if (needsList(2, 2, '[delimiter, string]')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::Cidr':
      if (needsList(3, 3, '[ipBlock, count, cidrBits]')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::Base64': case 'Fn::GetAZs': case 'Fn::ImportValue':
      walk(arg, p, scope, ctx);
      return;
    case 'Fn::ToJsonString': case 'Fn::Length':
      if (!ctx.hasLanguageExtensions) ctx.error(p, `${fn} needs Transform: ${LANGUAGE_EXTENSIONS}`);
      walk(arg, p, scope, ctx);
      return;
    case 'Fn::Transform':
      return;
    case 'Fn::Contains': case 'Fn::EachMemberEquals': case 'Fn::EachMemberIn':
      if (needsList(2, 2, '[list, value]')) walk(arg, p, scope, ctx);
      return;
    case 'Fn::RefAll': case 'Fn::ValueOf': case 'Fn::ValueOfAll':
      walk(arg, p, scope, ctx);
      return;
    default:
      if (fn.startsWith('Fn::ForEach::') && ctx.hasLanguageExtensions) return;
      ctx.error(p, `unknown intrinsic function ${fn}`);
  }
}

// ===================================================================================================== IAM policy documents

const POLICY_KEYS = new Set(['PolicyDocument', 'AssumeRolePolicyDocument', 'KeyPolicy', 'Policies', 'PolicyText']);

function checkPolicies(props, path, ctx) {
  const visit = (node, p, inPolicy, trust) => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => visit(v, [...p, i], inPolicy, trust));
      return;
    }
    if (!isObject(node) || intrinsicName(node)) return;
    if (inPolicy && 'Statement' in node) {
      checkStatements(node.Statement, [...p, 'Statement'], ctx, trust);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      visit(v, [...p, k], inPolicy || POLICY_KEYS.has(k), trust || k === 'AssumeRolePolicyDocument');
    }
  };
  visit(props, path, false, false);
}

function checkStatements(statements, path, ctx, trust) {
  const list = Array.isArray(statements) ? statements : [statements];
  list.forEach((s, i) => {
    const p = Array.isArray(statements) ? [...path, i] : path;
    if (intrinsicName(s)) return;
    if (!isObject(s)) {
      ctx.error(p, 'a policy statement must be a mapping');
      return;
    }
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) ctx.error([...p, k], `unknown policy statement key ${k}${suggest(k, STATEMENT_KEYS)}`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny' && !intrinsicName(s.Effect)) ctx.error(p, `Effect must be Allow or Deny, got ${show(s.Effect)}`);
    if ((s.Action === undefined) === (s.NotAction === undefined)) ctx.error(p, 'a statement needs exactly one of Action / NotAction');
    const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (!trust && !hasPrincipal && (s.Resource === undefined) === (s.NotResource === undefined)) {
      ctx.error(p, 'a statement needs exactly one of Resource / NotResource');
    }
    for (const key of ['Action', 'NotAction']) {
      if (s[key] === undefined) continue;
      const actions = [].concat(s[key]);
      actions.forEach((a, j) => {
        if (typeof a !== 'string') return;
        if (a !== '*' && !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) {
          ctx.error(Array.isArray(s[key]) ? [...p, key, j] : [...p, key], `malformed IAM action ${show(a)} (service:Action)`);
        }
      });
    }
  });
}
