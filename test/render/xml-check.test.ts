// The XML checker the render tests rely on must reject what a real parser rejects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xmlProblems, xmllintProblems } from './xml-check.js';

describe('xmlProblems', () => {
  it('accepts well-formed documents', () => {
    assert.deepEqual(xmlProblems('<svg xmlns="http://www.w3.org/2000/svg"><text x="1">a &amp; b &#39; &#x3c;</text><g/></svg>'), []);
    assert.deepEqual(xmlProblems('<?xml version="1.0"?>\n<a b=\'1\'><!-- c --><![CDATA[<x>]]></a>\n'), []);
  });

  const bad: [string, string][] = [
    ['bare ampersand', '<a>x & y</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['< in attribute', '<a b="<"/>'],
    ['& in attribute', '<a b="&"/>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['duplicate attribute', '<a b="1" b="2"/>'],
    ['unquoted attribute', '<a b=1/>'],
    ['control character', '<a>\u0001</a>'],
    ['escape character', '<a>\u001b[31m</a>'],
    ['lone surrogate', '<a>\ud800</a>'],
    ['U+FFFE', '<a>\ufffe</a>'],
    ['reference to control character', '<a>&#1;</a>'],
    ['text outside root', 'x<a/>'],
    ['-- in comment', '<a><!-- a -- b --></a>'],
  ];
  for (const [name, doc] of bad) {
    it(`rejects ${name}`, () => {
      assert.notDeepEqual(xmlProblems(doc), []);
      // (A lone surrogate cannot be written as UTF-8: the file would hold U+FFFD, so xmllint cannot see it.)
      const lint = name === 'lone surrogate' ? undefined : xmllintProblems(doc);
      if (lint !== undefined) assert.notEqual(lint, '', `xmllint agrees: ${name}`);
    });
  }
});
