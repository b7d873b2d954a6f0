import { describe, expect, it } from 'vitest';
import { fingerprint, parsePublicKey } from './keys.js';

// Keys made with `ssh-keygen`; expected fingerprints are what `ssh-keygen -l` printed
// (`-E md5` for RSA): EC2 shows the same values for imported keys.
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIClDloe1Ixq+SIw2t6WknQDZPlVHGDUwwe8i/fygpPkM test@twin';
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDUaXrDpkeZdFCPFQWoj59fcKwgxekQZyHsiNtzyPmFWoHn3ueARW5SOFIlJDt4vz3n//0ppPRVA61Mszaihnxj13aHlL49Pp91Ginwwn5jLFk55BEbEIyuYRt8C0hOFAHwPG/Gp51TOGxAa6KaJWN3+TL77GoAx6vivsGN5TppOw== rsa@twin';

describe('imported key fingerprints', () => {
  it('ED25519: base64 SHA-256 of the key blob', () => {
    const key = parsePublicKey(ED25519);
    expect(key.keyType).toBe('ed25519');
    expect(fingerprint(key)).toBe('WotwfExbF8cBJlwV+QxbF7McU1894K4pSWUmABWW3vQ=');
  });

  it('RSA: MD5 of the key blob, colon-separated', () => {
    const key = parsePublicKey(RSA);
    expect(key.keyType).toBe('rsa');
    expect(fingerprint(key)).toBe('ea:2a:20:1d:e4:45:ef:71:65:7c:0d:ba:26:f9:96:6d');
  });

  it('accepts the RFC 4716 form', () => {
    const b64 = ED25519.split(' ')[1] ?? '';
    const block = `---- BEGIN SSH2 PUBLIC KEY ----\nComment: "test"\n${b64.slice(0, 40)}\n${b64.slice(40)}\n---- END SSH2 PUBLIC KEY ----\n`;
    expect(fingerprint(parsePublicKey(block))).toBe('WotwfExbF8cBJlwV+QxbF7McU1894K4pSWUmABWW3vQ=');
  });

  it.each([
    'not a key',
    'ssh-dss AAAAB3NzaC1kc3MAAACBAP',
    'ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQDUaXrDpkeZdFCPFQWo',
    // A truncated 31-byte ed25519 key (what ssh2's generator writes for keys starting with 0x00).
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH4qbjTG1STCBQxD5DPaGs7xyr6uzGU06xUpXg/wp/yI=',
    'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=',
  ])('rejects %s with InvalidKey.Format', (text) => {
    let code: string | undefined;
    try {
      parsePublicKey(text);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('InvalidKey.Format');
  });
});
