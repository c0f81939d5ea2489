import { describe, expect, test } from 'vitest';
import { lexJunos, type LexProblem } from './junos-lexer.js';

function lex(text: string) {
  const problems: LexProblem[] = [];
  const tokens = lexJunos(text, 'f.conf', problems).filter((t) => t.kind !== 'nl');
  return { tokens, problems, texts: tokens.map((t) => (t.kind === 'word' || t.kind === 'string' ? t.text : t.kind)) };
}

describe('junos lexer', () => {
  test('words, punctuation, lists and positions', () => {
    const { tokens, texts } = lex('interfaces {\n  et-0/0/0 { apply-groups [ A B ]; }\n}');
    expect(texts).toEqual(['interfaces', '{', 'et-0/0/0', '{', 'apply-groups', '[', 'A', 'B', ']', ';', '}', '}']);
    expect(tokens[2]!.loc).toEqual({ file: 'f.conf', line: 2, col: 3 });
    expect(tokens[2]!.end).toEqual({ file: 'f.conf', line: 2, col: 11 });
  });

  test('quoted strings with escapes; # inside a word or string is not a comment', () => {
    const { texts } = lex('description "say \\"hi\\" \\\\ #1"; community a#b; # a comment\nx;');
    expect(texts).toEqual(['description', 'say "hi" \\ #1', ';', 'community', 'a#b', ';', 'x', ';']);
  });

  test('comments: #, ## SECRET-DATA, /* annotations */ spanning lines', () => {
    const { tokens, texts } = lex('/* note\n more */ system { encrypted-password "$9$x"; ## SECRET-DATA\n}');
    expect(texts).toEqual(['system', '{', 'encrypted-password', '$9$x', ';', '}']);
    expect(tokens[0]!.loc).toEqual({ file: 'f.conf', line: 2, col: 10 });
  });

  test('unterminated string and comment are reported where they start', () => {
    expect(lex('a "open;\nb;').problems).toEqual([{ loc: { file: 'f.conf', line: 1, col: 3 }, message: 'unterminated string: \'"\' is never closed' }]);
    expect(lex('a;\n  /* open').problems).toEqual([{ loc: { file: 'f.conf', line: 2, col: 3 }, message: "unterminated comment: '/*' is never closed by '*/'" }]);
  });

  test('origin shifts locations of embedded text', () => {
    const problems: LexProblem[] = [];
    const t = lexJunos('a;\nbb;', 'x.yaml', problems, { line: 10, col: 7 });
    expect(t.find((x) => x.text === 'bb')!.loc).toEqual({ file: 'x.yaml', line: 11, col: 7 });
  });
});
