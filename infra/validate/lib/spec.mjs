// The CloudFormation resource database shipped by @aws-cdk/aws-service-spec (resource types, their properties,
// nested property types and GetAtt attributes, AWS::Serverless::* included), plus a small, explicit patch
// layer for the SAM types, whose entries in that database lag behind the current SAM specification.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec');

/**
 * SAM event source Type -> name of the property type describing its Properties in the database.
 * Types listed with null are valid SAM events the database does not model: their Properties are not checked.
 */
export const SAM_EVENT_TYPES = {
  S3: 'S3Event',
  SNS: 'SNSEvent',
  SQS: 'SQSEvent',
  Kinesis: 'KinesisEvent',
  DynamoDB: 'DynamoDBEvent',
  Api: 'ApiEvent',
  Schedule: 'ScheduleEvent',
  CloudWatchEvent: 'CloudWatchEventEvent',
  CloudWatchLogs: 'CloudWatchLogsEvent',
  IoTRule: 'IoTRuleEvent',
  AlexaSkill: 'AlexaSkillEvent',
  EventBridgeRule: 'EventBridgeRuleEvent',
  HttpApi: 'HttpApiEvent',
  Cognito: 'CognitoEvent',
  ScheduleV2: null,
  MSK: null,
  MQ: null,
  SelfManagedKafka: null,
  DocumentDB: null,
};

/** What a SAM resource turns into, for GetAtt attribute names (SAM passes GetAtt through to it). */
export const SAM_GETATT_TARGET = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::Application': 'AWS::CloudFormation::Stack',
};

export class Spec {
  constructor() {
    const db = loadAwsServiceSpecSync();
    this.resources = new Map();
    for (const r of db.all('resource')) this.resources.set(r.cloudFormationType, r);
    this.defs = new Map();
    for (const d of db.all('typeDefinition')) this.defs.set(d.$id, d);
    this.patchedProps = new Set();
    applySamPatches(this);
  }

  resource(type) {
    return this.resources.get(type);
  }

  def(ref) {
    return this.defs.get(ref.$ref ?? ref);
  }

  /** The named property type reachable from a resource's properties (depth-first). */
  findDef(resourceType, defName) {
    const seen = new Set();
    const walk = (t) => {
      if (!t) return undefined;
      if (t.type === 'ref') {
        const d = this.def(t.reference);
        if (!d || seen.has(d.$id)) return undefined;
        seen.add(d.$id);
        if (d.name === defName) return d;
        for (const p of Object.values(d.properties)) {
          const found = walk(p.type);
          if (found) return found;
        }
        return undefined;
      }
      if (t.element) return walk(t.element);
      if (t.types) for (const u of t.types) {
        const found = walk(u);
        if (found) return found;
      }
      return undefined;
    };
    for (const p of Object.values(this.resource(resourceType)?.properties ?? {})) {
      const found = walk(p.type);
      if (found) return found;
    }
    throw new Error(`spec patch: no property type ${defName} under ${resourceType}`);
  }

  /** The type of a (possibly nested) property: passthrough('AWS::Events::Rule', 'Targets', 'RetryPolicy'). */
  passthrough(resourceType, ...path) {
    let props = this.resource(resourceType)?.properties;
    let type;
    for (const name of path) {
      const prop = props?.[name];
      if (!prop) throw new Error(`spec patch: ${resourceType} has no ${path.join('.')}`);
      type = prop.type;
      let t = type;
      while (t && (t.type === 'array' || t.type === 'map')) t = t.element;
      props = t?.type === 'ref' ? this.def(t.reference)?.properties : undefined;
    }
    return type;
  }

  /** Names of the GetAtt attributes of a type, or null when any attribute may be used. */
  attributes(type) {
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return null;
    const target = SAM_GETATT_TARGET[type] ?? type;
    const r = this.resource(target);
    if (!r) return null;
    return r.attributes;
  }
}

/**
 * The database's AWS::Serverless::* entries come from an older SAM specification. These patches bring the
 * parts this project uses (and their neighbours) in line with the current SAM specification, where SAM passes
 * a property straight through to a CloudFormation resource, by borrowing that resource's own property type.
 * Each entry names what it fixes; nothing here loosens a check beyond what SAM accepts.
 */
function applySamPatches(spec) {
  const str = { type: 'string' };
  const bool = { type: 'boolean' };
  const json = { type: 'json' };
  const addProps = (props, additions) => {
    for (const [name, type] of Object.entries(additions)) props[name] = { type };
  };

  // AWS::Serverless::Function: newer pass-through properties of AWS::Lambda::Function.
  const fn = spec.resource('AWS::Serverless::Function');
  addProps(fn.properties, {
    LoggingConfig: spec.passthrough('AWS::Lambda::Function', 'LoggingConfig'),
    RuntimeManagementConfig: spec.passthrough('AWS::Lambda::Function', 'RuntimeManagementConfig'),
    SnapStart: spec.passthrough('AWS::Lambda::Function', 'SnapStart'),
    RecursiveLoop: spec.passthrough('AWS::Lambda::Function', 'RecursiveLoop'),
    RolePath: str,
    AutoPublishAliasAllProperties: bool,
    PropagateTags: bool,
  });

  // SQS event: FunctionResponseTypes (ReportBatchItemFailures), batching window, scaling and filtering pass
  // through to AWS::Lambda::EventSourceMapping.
  const sqs = spec.findDef('AWS::Serverless::Function', 'SQSEvent');
  addProps(sqs.properties, {
    FunctionResponseTypes: spec.passthrough('AWS::Lambda::EventSourceMapping', 'FunctionResponseTypes'),
    MaximumBatchingWindowInSeconds: spec.passthrough('AWS::Lambda::EventSourceMapping', 'MaximumBatchingWindowInSeconds'),
    ScalingConfig: spec.passthrough('AWS::Lambda::EventSourceMapping', 'ScalingConfig'),
    FilterCriteria: spec.passthrough('AWS::Lambda::EventSourceMapping', 'FilterCriteria'),
    MetricsConfig: spec.passthrough('AWS::Lambda::EventSourceMapping', 'MetricsConfig'),
    KmsKeyArn: spec.passthrough('AWS::Lambda::EventSourceMapping', 'KmsKeyArn'),
  });

  // Schedule event: State, RetryPolicy and DeadLetterConfig (EventBridge rule target).
  const schedule = spec.findDef('AWS::Serverless::Function', 'ScheduleEvent');
  addProps(schedule.properties, {
    State: str,
    RetryPolicy: spec.passthrough('AWS::Events::Rule', 'Targets', 'RetryPolicy'),
    DeadLetterConfig: json,
  });

  // AWS::Serverless::HttpApi: the database spells AccessLogSettings as "AccessLogSetting" and lacks Name.
  const httpApi = spec.resource('AWS::Serverless::HttpApi');
  delete httpApi.properties.AccessLogSetting;
  addProps(httpApi.properties, {
    AccessLogSettings: spec.passthrough('AWS::ApiGatewayV2::Stage', 'AccessLogSettings'),
    DefaultRouteSettings: spec.passthrough('AWS::ApiGatewayV2::Stage', 'DefaultRouteSettings'),
    RouteSettings: json,
    Name: str,
    PropagateTags: bool,
  });
}
