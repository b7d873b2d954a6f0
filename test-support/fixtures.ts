/** Values several packages' tests share. */

/** One VM's identity tags, as its agent writes them on every line. */
export const WEB_1_TAGS = {
  ns: 'default',
  mcis: 'web',
  vm: 'web-1',
  csp: 'aws',
  region: 'ap-northeast-2',
  subgroup: 'web',
} as const;
