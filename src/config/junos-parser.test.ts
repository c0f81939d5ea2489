import { describe, expect, test } from 'vitest';
import { parseJunos } from './junos-parser.js';
import { printTree } from './junos-tree.js';
import { ConfigError, formatLoc } from './model.js';

const tree = (text: string) => printTree(parseJunos(text, 't.conf').tree);

function errors(text: string): string[] {
  try {
    parseJunos(text, 't.conf');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${formatLoc(p.loc)}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('curly and set forms build the same tree', () => {
  test('interfaces, addresses with arp, routes with lists', () => {
    const curly = `
interfaces {
    et-0/0/0 {
        mtu 9192;
        unit 0 {
            family inet {
                address 10.0.0.1/24 {
                    primary;
                    arp 10.0.0.2 mac 00:11:22:33:44:55;
                }
            }
        }
    }
}
routing-options {
    static {
        route 0.0.0.0/0 next-hop [ 10.0.0.2 10.0.0.3 ];
        route 10.9.0.0/16 {
            discard;
        }
    }
}`;
    const set = `
set interfaces et-0/0/0 mtu 9192
set interfaces et-0/0/0 unit 0 family inet address 10.0.0.1/24 primary
set interfaces et-0/0/0 unit 0 family inet address 10.0.0.1/24 arp 10.0.0.2 mac 00:11:22:33:44:55
set routing-options static route 0.0.0.0/0 next-hop 10.0.0.2
set routing-options static route 0.0.0.0/0 next-hop 10.0.0.3
set routing-options static route 10.9.0.0/16 discard
`;
    expect(parseJunos(set, 's').form).toBe('set');
    expect(parseJunos(curly, 'c').form).toBe('curly');
    expect(tree(set)).toBe(tree(curly));
    expect(tree(curly)).toContain('route 0.0.0.0/0 {\n            next-hop 10.0.0.2;\n            next-hop 10.0.0.3;\n');
  });

  test('a single-valued leaf set twice keeps the last value', () => {
    expect(tree('set interfaces ge-0/0/0 mtu 1500\nset interfaces ge-0/0/0 mtu 9000\n')).toBe('interfaces {\n    ge-0/0/0 {\n        mtu 9000;\n    }\n}\n');
  });

  test('delete, deactivate, activate; inactive: in curly form', () => {
    const set = `set interfaces ge-0/0/0 description "x y"
set interfaces ge-0/0/0 disable
set interfaces ge-0/0/1 unit 0
set interfaces ge-0/0/2 unit 0
delete interfaces ge-0/0/0 description
deactivate interfaces ge-0/0/1
deactivate interfaces ge-0/0/2 unit 0
activate interfaces ge-0/0/2 unit 0
`;
    expect(tree(set)).toBe(tree('interfaces { ge-0/0/0 { disable; } inactive: ge-0/0/1 { unit 0; } ge-0/0/2 { unit 0; } }'));
    expect(tree(set)).toContain('inactive: ge-0/0/1 {');
    expect(errors('set a b\ndelete a c\n')).toEqual(['t.conf:2:1: delete: statement not found: a c']);
  });

  test('inactive: on a one-line statement marks the statement, not its last word', () => {
    const t = parseJunos('routing-options { static { inactive: route 10.0.0.0/8 next-hop 1.1.1.1; } }', 't').tree;
    const route = t.children[0]!.children[0]!.children[0]!;
    expect(route.words).toEqual(['route', '10.0.0.0/8']);
    expect(route.inactive).toBe(true);
    expect(route.children[0]!.inactive).toBeUndefined();
  });
});

describe('groups', () => {
  test('apply-groups at top level and deeper; local values win; wildcards only match', () => {
    const t = tree(`
groups {
    G1 {
        interfaces {
            <et-*> { mtu 9192; description "from G1"; }
            lo0 { unit 0 { family inet { address 127.0.0.1/32; } } }
        }
    }
    G2 {
        interfaces { <*> { mtu 1600; } }
        system { host-name from-g2; }
    }
    U { interfaces { <*> { unit <*> { family inet { mtu 1400; } } } } }
}
apply-groups [ G1 G2 ];
interfaces {
    et-0/0/0 { description local; }
    et-0/0/1 { unit 0 { apply-groups U; } }
    ge-0/0/0;
}`);
    expect(t).toContain('et-0/0/0 {\n        description local;\n        mtu 9192;\n    }');
    expect(t).toContain('et-0/0/1 {\n        unit 0 {\n            apply-groups U;\n            family inet {\n                mtu 1400;');
    expect(t).toContain('ge-0/0/0 {\n        mtu 1600;\n    }');
    expect(t).toContain('lo0 {\n        unit 0 {\n            family inet {\n                address 127.0.0.1/32;');
    expect(t).toContain('host-name from-g2;');
    expect(t).not.toMatch(/^\s+<et-\*>.*\n(?![\s\S]*groups)/m);
  });

  test('apply-groups-except and undefined groups', () => {
    const t = tree('groups { G { interfaces { <*> { mtu 9000; } } } } apply-groups G; interfaces { a { mtu 1500; } b { apply-groups-except G; } c; }');
    expect(t).toContain('c {\n        mtu 9000;');
    expect(t).not.toMatch(/b \{\n\s+apply-groups-except G;\n\s+mtu/);
    expect(errors('interfaces { x { apply-groups [ NOPE ]; } }')).toEqual(["t.conf:1:33: apply-groups: group 'NOPE' is not defined"]);
  });
});

describe('syntax errors carry file:line:column, all collected', () => {
  test("missing ';' at end of line, unbalanced braces", () => {
    expect(errors('system {\n    host-name x\n    time-zone UTC;\n}\n}\n')).toEqual([
      "t.conf:2:16: missing ';' at the end of the statement",
      "t.conf:5:1: unbalanced '}': no '{' to close",
    ]);
  });

  test("missing '}' reports the unclosed '{'", () => {
    expect(errors('interfaces {\n    et-0/0/0 {\n        mtu 9192;\n')).toEqual([
      "t.conf:1:12: missing '}': this '{' is never closed (end of text at 3:18)",
      "t.conf:2:14: missing '}': this '{' is never closed (end of text at 3:18)",
    ]);
  });

  test("missing ';' before '}' and at end of text; '{' without a name; stray ']'", () => {
    expect(errors('a { b }\nc')).toEqual(["t.conf:1:6: missing ';' at the end of the statement", "t.conf:2:2: missing ';' at the end of the statement"]);
    expect(errors('{ x; }')).toEqual(["t.conf:1:1: '{' without a statement before it"]);
    expect(errors('a ];')).toEqual(["t.conf:1:3: unexpected ']' without '['"]);
  });

  test('unterminated string, comment and list', () => {
    expect(errors('a "b;\n')).toEqual(['t.conf:1:3: unterminated string: \'"\' is never closed', "t.conf:1:6: missing ';' at the end of the statement"]);
    expect(errors('a;\n/* x')).toEqual(["t.conf:2:1: unterminated comment: '/*' is never closed by '*/'"]);
    expect(errors('apply-groups [ a b;\n')).toEqual(["t.conf:1:14: unterminated list: '[' is never closed by ']'"]);
  });

  test('set form: braces and unknown commands', () => {
    expect(errors('set a b\nset c { d }\nshow e\nset\n')).toEqual([
      "t.conf:2:7: unexpected '{' in a set-form configuration",
      "t.conf:3:1: expected set, delete, deactivate or activate, found 'show'",
      "t.conf:4:1: 'set' without a statement",
    ]);
  });
});
