// Parses a CloudFormation / SAM template (YAML or JSON) into plain JavaScript, turning the short-form tags
// (!Ref, !GetAtt, !Sub, !If, ...) into their long form ({Ref: x}, {"Fn::GetAtt": [r, a]}, ...), and remembers
// the line of every value so that findings can point at the template.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';

/** Short-form tags CloudFormation accepts, mapped to their long-form key. */
export const SHORT_TAGS = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAtt': 'Fn::GetAtt',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Sub': 'Fn::Sub',
  '!Transform': 'Fn::Transform',
  '!And': 'Fn::And',
  '!Equals': 'Fn::Equals',
  '!If': 'Fn::If',
  '!Not': 'Fn::Not',
  '!Or': 'Fn::Or',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
  // Rule-specific functions (Rules section only).
  '!Contains': 'Fn::Contains',
  '!EachMemberEquals': 'Fn::EachMemberEquals',
  '!EachMemberIn': 'Fn::EachMemberIn',
  '!RefAll': 'Fn::RefAll',
  '!ValueOf': 'Fn::ValueOf',
  '!ValueOfAll': 'Fn::ValueOfAll',
};

// Every tag in three shapes (scalar, sequence, mapping); resolve keeps the node, the conversion below reads
// node.tag. Which shapes a function really accepts is checked later, on the long form.
const customTags = Object.keys(SHORT_TAGS).flatMap((tag) => [
  { tag, resolve: (value) => value },
  { tag, collection: 'seq', resolve: (seq) => seq },
  { tag, collection: 'map', resolve: (map) => map },
]);

/** A path as a readable string: Resources.Queue.Properties.Tags[0].Key */
export function pathString(path) {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * @returns {{ template: any, errors: {line:number, path:string, message:string}[], lineOf: (path:(string|number)[]) => number|undefined }}
 */
export function parseTemplate(text) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    customTags,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true, // duplicate keys are an error, as in CloudFormation
    merge: false, // CloudFormation has no << merge keys
    strict: true,
  });
  const lines = new Map();
  const errors = [];
  const lineAt = (offset) => (offset == null ? undefined : lineCounter.linePos(offset).line);

  for (const e of doc.errors) errors.push({ line: lineAt(e.pos?.[0]), path: '', message: `YAML: ${e.message.split('\n')[0]}` });
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') {
      errors.push({ line: lineAt(w.pos?.[0]), path: '', message: `unknown tag: ${w.message.replace(/^Unresolved tag: /, '').split('\n')[0]}` });
    }
  }
  if (errors.length) return { template: undefined, errors, lineOf: () => undefined };

  const convert = (node, path) => {
    if (node == null) return null;
    if (isAlias(node)) return convert(node.resolve(doc), path);
    if (node.range) lines.set(pathString(path), lineAt(node.range[0]));
    let value;
    if (isScalar(node)) {
      value = node.value;
    } else if (isMap(node)) {
      value = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        if (keyNode?.range) lines.set(pathString([...path, key]), lineAt(keyNode.range[0]));
        value[key] = convert(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      value = node.items.map((item, i) => convert(item, [...path, i]));
    } else {
      value = node.toJSON?.() ?? null;
    }
    const longForm = node.tag && SHORT_TAGS[node.tag];
    if (!longForm) return value;
    if (longForm === 'Fn::GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      return { [longForm]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [longForm]: value };
  };

  const template = convert(doc.contents, []);
  const lineOf = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const line = lines.get(pathString(path.slice(0, n)));
      if (line !== undefined) return line;
    }
    return undefined;
  };
  return { template, errors, lineOf };
}
