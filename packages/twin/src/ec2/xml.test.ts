import { describe, expect, it } from 'vitest';
import { el, errorDoc, items, node, responseDoc, scalarItems } from './xml.js';

describe('xml builder', () => {
  it('escapes text once and omits unset fields', () => {
    const doc = responseDoc('CreateTags', 'req-1', [
      node('x', [el('a', `<b> & "c" 'd'`), el('missing', undefined), el('n', 0), el('f', false)]),
    ]);
    expect(doc).toContain('<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>');
    expect(doc).toContain('<x><a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</a><n>0</n><f>false</f></x>');
    expect(doc).not.toContain('missing');
  });

  it('writes EC2 lists with <item> and empty lists as empty elements', () => {
    expect(items('tagSet', [{ k: 'a' }], (t) => [el('key', t.k)]).text).toBe('<tagSet><item><key>a</key></item></tagSet>');
    expect(items('tagSet', [], () => []).text).toBe('<tagSet/>');
    expect(scalarItems('supportedArchitectures', ['x86_64']).text).toBe('<supportedArchitectures><item>x86_64</item></supportedArchitectures>');
  });

  it('writes the error document EC2 sends', () => {
    expect(errorDoc('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist", 'r')).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID &apos;i-1&apos; does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>`,
    );
  });
});
