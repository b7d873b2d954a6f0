import { describe, expect, it } from 'vitest';
import { generateHostKey } from '../ssh/vm-ssh-server.js';
import { isLoadableKey, loadableKey } from './keys.js';

// An ed25519 key as ssh2's generator writes it when the public key starts with a zero byte:
// the key is cut to 31 bytes and ssh2 cannot load it back.
const TRUNCATED = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMgAAAAtz
c2gtZWQyNTUxOQAAAB+Km40xtUkwgUMQ+Qz2hrO8cq+rsxlNOsVKV4P8Kf8iAAAA
iDQozHw0KMx8AAAAC3NzaC1lZDI1NTE5AAAAH4qbjTG1STCBQxD5DPaGs7xyr6uz
GU06xUpXg/wp/yIAAAA/5j7AWNn0yIh82dnqwUb3Utsjz9QNPZNQhHSXWgUI0KSK
m40xtUkwgUMQ+Qz2hrO8cq+rsxlNOsVKV4P8Kf8iAAAAAAECAwQFBgc=
-----END OPENSSH PRIVATE KEY-----
`;

describe('loadable host keys', () => {
  it('detects keys ssh2 cannot load', () => {
    expect(isLoadableKey(TRUNCATED)).toBe(false);
    expect(isLoadableKey(loadableKey(generateHostKey).privateKey)).toBe(true);
  });

  it('generateHostKey itself only hands out loadable keys (ssh2 alone fails once in 256)', () => {
    for (let i = 0; i < 1500; i++) expect(isLoadableKey(generateHostKey().privateKey)).toBe(true);
  });

  it('retries the generator until a key loads', () => {
    let calls = 0;
    const good = loadableKey(generateHostKey);
    const k = loadableKey(() => (++calls < 3 ? { privateKey: TRUNCATED } : good));
    expect(calls).toBe(3);
    expect(k).toBe(good);
    expect(() => loadableKey(() => ({ privateKey: TRUNCATED }))).toThrow(/could not generate/);
  });
});
