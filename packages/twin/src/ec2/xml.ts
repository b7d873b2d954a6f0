/**
 * A tiny XML writer for EC2 Query API responses. Fragments are `Xml` values so text is escaped
 * exactly once; `undefined`/`null` children are omitted (EC2 leaves out unset fields).
 */
export class Xml {
  constructor(readonly text: string) {}
}

export type XmlChild = Xml | null | undefined | false;
export type XmlScalar = string | number | boolean | Date;

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** EC2 timestamps: ISO 8601 with milliseconds, UTC. */
export function isoTime(d: Date | number | string): string {
  return new Date(d).toISOString();
}

function scalarText(v: XmlScalar): string {
  if (v instanceof Date) return v.toISOString();
  return escapeXml(String(v));
}

/** `<name>value</name>`; nothing when value is undefined/null. */
export function el(name: string, value: XmlScalar | null | undefined): Xml | undefined {
  if (value === undefined || value === null) return undefined;
  return new Xml(`<${name}>${scalarText(value)}</${name}>`);
}

/** `<name>children…</name>`; an empty element when there are no children. */
export function node(name: string, children: XmlChild[]): Xml {
  const inner = join(children);
  return new Xml(inner ? `<${name}>${inner}</${name}>` : `<${name}/>`);
}

/** An EC2 list: `<name><item>…</item>…</name>`, `<name/>` when empty. */
export function items<T>(name: string, values: readonly T[], render: (v: T) => XmlChild[]): Xml {
  return node(
    name,
    values.map((v) => node('item', render(v))),
  );
}

/** A list of scalars: `<name><item>v</item>…</name>`. */
export function scalarItems(name: string, values: readonly XmlScalar[]): Xml {
  return node(
    name,
    values.map((v) => new Xml(`<item>${scalarText(v)}</item>`)),
  );
}

export function join(children: XmlChild[]): string {
  let out = '';
  for (const c of children) if (c) out += c.text;
  return out;
}

/** The success document for `action`. */
export function responseDoc(action: string, requestId: string, body: XmlChild[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}">` +
    `<requestId>${escapeXml(requestId)}</requestId>${join(body)}</${action}Response>`
  );
}

/** The error document, shaped as EC2 sends it. */
export function errorDoc(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors>` +
    `<RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}
