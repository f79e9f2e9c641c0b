/**
 * YAML as cloud-init and subiquity read it: PyYAML, YAML 1.1. Emitting in 1.1 mode makes the `yaml` library quote
 * what 1.1 would otherwise turn into booleans, numbers or sexagesimals (`yes`, `on`, `0755`, `1:20`).
 *
 * PyYAML also treats U+0085, U+2028 and U+2029 as line breaks and refuses raw non-printable characters, while
 * the `yaml` library writes them raw (even inside block scalars, where a U+2028 would end the scalar and start a
 * new key in PyYAML's eyes). Every string holding one is therefore forced into double quotes and the raw
 * character replaced by its escape (`\u2028`), which both parsers read back as the same character.
 */
import { Document, parseDocument, visit } from 'yaml';

// PyYAML reader.NON_PRINTABLE (minus tab, LF) plus its extra line breaks, CR and lone surrogates.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const UNSAFE = /[\0-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** One YAML document (no `---`), 1.1-safe, no line folding. */
export function toYaml(value: Record<string, unknown>): string {
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // Raw unsafe characters are left only inside the double-quoted scalars forced above: escape them there.
  return doc.toString({ lineWidth: 0, minContentWidth: 0 }).replace(UNSAFE_ALL, escapeChar);
}

export type YamlResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Parse like PyYAML's safe_load would, except timestamps stay strings (so imported values re-emit verbatim). */
export function fromYaml(text: string): YamlResult {
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((t) => typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:timestamp'),
    uniqueKeys: true,
  });
  if (doc.errors.length) return { ok: false, message: doc.errors[0]!.message };
  try {
    // An alias bomb (billion laughs) stops at the alias budget instead of exhausting memory.
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

