// Everything that comes from a capture is escaped before it reaches a terminal, SVG or HTML.

/** Control characters (C0, DEL, C1) and lone surrogates shown as \xNN / \u{N}, never passed raw. */
export function escapeTerminal(text: string): string {
  // Fast path: most strings are plain printable text.
  if (!/[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** JSON text with DEL and C1 controls escaped as well (JSON.stringify leaves them raw, and U+009B
 *  is a terminal's CSI): the same data once parsed, safe to print. */
export function jsonSafe(json: string): string {
  if (!/[\u007f-\u009f]/.test(json)) return json;
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** XML/HTML text and attribute escaping; also drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"'\ufffe\uffff]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === "'" ? '&#39;'
      : `\\u{${c.charCodeAt(0).toString(16)}}`, // U+FFFE/U+FFFF: not XML 1.0 characters
  );
}
