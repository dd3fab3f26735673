// Test helper: a strict XML 1.0 well-formedness check (no DTDs), independent of our writers.
//
// Checks: one root element; tags nest and match; attribute names unique per element, values quoted
// and free of `<`; `&` only as &amp; &lt; &gt; &quot; &apos; or a character reference to an XML
// character; only XML 1.0 characters (tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD, supplementary)
// anywhere; comments without `--`; CDATA closed. Returns a list of problems (empty = well-formed).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.\-]*/;

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

function checkChars(text: string, problems: string[]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    if (c > 0xffff) { i++; continue; }
    if (c >= 0xd800 && c <= 0xdfff) { problems.push(`lone surrogate U+${c.toString(16)} at ${i}`); return; }
    if (!isXmlChar(c)) { problems.push(`character U+${c.toString(16).padStart(4, '0')} not allowed in XML at ${i}`); return; }
  }
}

function checkReferences(text: string, where: number, problems: string[]): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const m = /^&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/.exec(text.slice(i, i + 12));
    if (!m) { problems.push(`bare '&' at ${where + i}: ${JSON.stringify(text.slice(i, i + 12))}`); continue; }
    const code = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? parseInt(m[3], 16) : 0x20;
    if (!isXmlChar(code)) problems.push(`reference to non-XML character ${m[0]} at ${where + i}`);
  }
}

export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  checkChars(xml, problems);
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const n = xml.length;
  while (i < n && problems.length < 10) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? n : lt);
    if (text.length > 0) {
      if (stack.length === 0 && text.trim() !== '') problems.push(`text outside the root element at ${i}`);
      if (text.includes('>') && text.includes(']]>')) problems.push(`']]>' in text at ${i}`);
      checkReferences(text, i, problems);
    }
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) { problems.push(`unclosed comment at ${lt}`); break; }
      if (xml.slice(lt + 4, end).includes('--')) problems.push(`'--' inside comment at ${lt}`);
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) problems.push(`CDATA outside the root at ${lt}`);
      const end = xml.indexOf(']]>', lt);
      if (end < 0) { problems.push(`unclosed CDATA at ${lt}`); break; }
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) { problems.push(`unclosed processing instruction at ${lt}`); break; }
      if (xml.startsWith('<?xml', lt) && lt !== 0) problems.push(`XML declaration not at the start (${lt})`);
      i = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      problems.push(`DOCTYPE/markup declaration not supported at ${lt}`);
      break;
    } else if (xml.startsWith('</', lt)) {
      const m = NAME.exec(xml.slice(lt + 2, lt + 200));
      const end = xml.indexOf('>', lt);
      if (!m || end < 0 || xml.slice(lt + 2 + m[0].length, end).trim() !== '') { problems.push(`bad end tag at ${lt}`); break; }
      const open = stack.pop();
      if (open !== m[0]) problems.push(`end tag </${m[0]}> at ${lt} closes <${open ?? '(nothing)'}>`);
      i = end + 1;
    } else {
      const m = NAME.exec(xml.slice(lt + 1, lt + 200));
      if (!m) { problems.push(`'<' not starting a tag at ${lt}`); i = lt + 1; continue; }
      const name = m[0];
      let p = lt + 1 + name.length;
      const seen = new Set<string>();
      let selfClosing = false;
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(p, p + 1000))![0].length;
        p += ws;
        if (xml.startsWith('/>', p)) { selfClosing = true; p += 2; break; }
        if (xml[p] === '>') { p += 1; break; }
        if (ws === 0) { problems.push(`missing space before attribute in <${name}> at ${p}`); break; }
        const a = NAME.exec(xml.slice(p, p + 200));
        if (!a) { problems.push(`bad attribute in <${name}> at ${p}`); break; }
        if (seen.has(a[0])) problems.push(`duplicate attribute ${a[0]} in <${name}> at ${p}`);
        seen.add(a[0]);
        p += a[0].length;
        const eq = /^\s*=\s*/.exec(xml.slice(p, p + 100));
        if (!eq) { problems.push(`attribute ${a[0]} without value at ${p}`); break; }
        p += eq[0].length;
        const q = xml[p];
        if (q !== '"' && q !== "'") { problems.push(`unquoted attribute ${a[0]} at ${p}`); break; }
        const close = xml.indexOf(q, p + 1);
        if (close < 0) { problems.push(`unclosed attribute ${a[0]} at ${p}`); break; }
        const value = xml.slice(p + 1, close);
        if (value.includes('<')) problems.push(`'<' in attribute ${a[0]} at ${p}`);
        checkReferences(value, p + 1, problems);
        p = close + 1;
      }
      if (stack.length === 0) {
        roots++;
        if (roots > 1) problems.push(`second root element <${name}> at ${lt}`);
      }
      if (!selfClosing) stack.push(name);
      i = p;
    }
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (roots === 0) problems.push('no root element');
  return problems;
}

/** xmllint's verdict when it is installed (apt: libxml2-utils), else undefined. */
export function xmllintProblems(xml: string): string | undefined {
  if (!existsSync('/usr/bin/xmllint')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'finscope-xml-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('/usr/bin/xmllint', ['--noout', '--huge', file], { encoding: 'utf8' });
    return r.status === 0 ? '' : (r.stderr || `exit ${r.status}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
