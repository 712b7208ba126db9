import { faults } from './faults.js';

/**
 * The subset of Intuit's SQL-like query language a sync needs:
 *   select * | count(*) | f1, f2 from Entity
 *     [where cond (and cond)*] [orderby field [asc|desc] (, …)] [startposition N] [maxresults M]
 * cond := field (= | < | > | <= | >= | like) value | field in (value, …)
 * Keywords are case-insensitive, strings are single-quoted with \' escapes. Like Intuit: no OR, no !=.
 */
export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'like' | 'in';
  values: (string | number | boolean)[];
}

export interface ParsedQuery {
  select: '*' | 'count' | string[];
  entity: string;
  where: Condition[];
  orderBy: { field: string; desc: boolean }[];
  startPosition: number;
  maxResults: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; pos: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let text = '';
      let j = i + 1;
      for (; j < input.length && input[j] !== "'"; j++) {
        if (input[j] === '\\' && j + 1 < input.length) j += 1;
        text += input[j];
      }
      if (j >= input.length)
        throw faults.queryParse(`Lexical error at line 1, column ${i + 1}. Unterminated string`);
      tokens.push({ kind: 'string', text, pos: i });
      i = j + 1;
    } else if (/[<>=!]/.test(c)) {
      const two = input.slice(i, i + 2);
      const text = two === '<=' || two === '>=' || two === '!=' ? two : c;
      tokens.push({ kind: 'op', text, pos: i });
      i += text.length;
    } else if (/[(),*]/.test(c)) {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i += 1;
    } else if (/[-\d]/.test(c) && /^-?\d/.test(input.slice(i, i + 2))) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w.]*/.exec(input.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], pos: i });
      i += m[0].length;
    } else {
      throw faults.queryParse(`Lexical error at line 1, column ${i + 1}. Encountered: "${c}"`);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private fail(expected: string): never {
    const t = this.peek();
    const at = t ? `"${t.text}" at line 1, column ${t.pos + 1}` : '<EOF>';
    throw faults.queryParse(`Encountered ${at}.\nWas expecting:\n    ${expected} ...\n    `);
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }

  private expectWord(word: string): void {
    if (!this.isWord(word)) this.fail(word.toUpperCase());
    this.i += 1;
  }

  private expectPunct(p: string): void {
    const t = this.peek();
    if (t?.kind !== 'punct' || t.text !== p) this.fail(`"${p}"`);
    this.i += 1;
  }

  private identifier(): string {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail('<IDENTIFIER>');
    this.i += 1;
    return t.text;
  }

  private integer(): number {
    const t = this.peek();
    if (t?.kind !== 'number' || !/^\d+$/.test(t.text)) this.fail('<INTEGER>');
    this.i += 1;
    return Number(t.text);
  }

  private value(): string | number | boolean {
    const t = this.peek();
    if (!t) this.fail('<STRING>');
    if (t.kind === 'string') {
      this.i += 1;
      return t.text;
    }
    if (t.kind === 'number') {
      this.i += 1;
      return Number(t.text);
    }
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) {
      this.i += 1;
      return t.text.toLowerCase() === 'true';
    }
    return this.fail('<STRING>');
  }

  parse(): ParsedQuery {
    this.expectWord('select');
    let select: ParsedQuery['select'];
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '*') {
      this.i += 1;
      select = '*';
    } else if (this.isWord('count')) {
      this.i += 1;
      this.expectPunct('(');
      this.expectPunct('*');
      this.expectPunct(')');
      select = 'count';
    } else {
      const fields = [this.identifier()];
      while (this.peek()?.text === ',') {
        this.i += 1;
        fields.push(this.identifier());
      }
      select = fields;
    }
    this.expectWord('from');
    const entity = this.identifier();
    const query: ParsedQuery = { select, entity, where: [], orderBy: [], startPosition: 1, maxResults: 100 };
    if (this.isWord('where')) {
      this.i += 1;
      query.where.push(this.condition());
      while (this.isWord('and')) {
        this.i += 1;
        query.where.push(this.condition());
      }
    }
    if (this.isWord('orderby') || this.isWord('order')) {
      if (this.isWord('order')) {
        this.i += 1;
        this.expectWord('by');
      } else this.i += 1;
      do {
        if (this.peek()?.text === ',') this.i += 1;
        const field = this.identifier();
        let desc = false;
        if (this.isWord('desc') || this.isWord('asc')) {
          desc = this.peek()!.text.toLowerCase() === 'desc';
          this.i += 1;
        }
        query.orderBy.push({ field, desc });
      } while (this.peek()?.text === ',');
    }
    for (let k = 0; k < 2; k++) {
      if (this.isWord('startposition')) {
        this.i += 1;
        query.startPosition = this.integer();
      } else if (this.isWord('maxresults')) {
        this.i += 1;
        query.maxResults = this.integer();
      }
    }
    if (this.peek()) this.fail('<EOF>');
    return query;
  }

  private condition(): Condition {
    const field = this.identifier();
    const t = this.peek();
    if (t?.kind === 'op') {
      if (t.text === '!=') this.fail('"=" | "<" | ">" | "<=" | ">=" | "LIKE" | "IN"');
      this.i += 1;
      return { field, op: t.text as Condition['op'], values: [this.value()] };
    }
    if (this.isWord('like')) {
      this.i += 1;
      return { field, op: 'like', values: [this.value()] };
    }
    if (this.isWord('in')) {
      this.i += 1;
      this.expectPunct('(');
      const values = [this.value()];
      while (this.peek()?.text === ',') {
        this.i += 1;
        values.push(this.value());
      }
      this.expectPunct(')');
      return { field, op: 'in', values };
    }
    return this.fail('"=" | "<" | ">" | "<=" | ">=" | "LIKE" | "IN"');
  }
}

export function parseQuery(text: string): ParsedQuery {
  if (!text.trim()) throw faults.queryParse('Encountered "<EOF>" at line 1, column 1.');
  return new Parser(tokenize(text.trim())).parse();
}
