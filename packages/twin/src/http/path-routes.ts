/** Route tables keyed by path segments, as the REST APIs (GCE, OpenStack) declare them. */

export interface PathRoute {
  method: string;
  /** Path segments; a capture is marked by the API's own syntax (`:zone`, `{id}`). */
  pattern: string[];
}

/** How an API spells a capture and takes its value. */
export interface CaptureSyntax {
  /** The parameter name a pattern segment captures, or undefined for a literal segment. */
  name(pattern: string): string | undefined;
  /** The captured value of a path segment, or undefined when the segment cannot fill a capture. */
  value(segment: string): string | undefined;
}

/** `{id}` captures one segment, percent-decoded (OpenStack's and Cloudit's paths). */
export const BRACE_CAPTURES: CaptureSyntax = {
  name: (pat) => (pat.startsWith('{') ? pat.slice(1, -1) : undefined),
  value: (seg) => decodeURIComponent(seg),
};

export interface PathMatch<R> {
  route?: R;
  params: Record<string, string>;
  /** Some route has this path (for another method when `route` is absent: 405, not 404). */
  pathKnown: boolean;
}

/** The first route with this method and path; the captures it fills. */
export function matchPath<R extends PathRoute>(routes: readonly R[], method: string, segs: string[], syntax: CaptureSyntax): PathMatch<R> {
  let pathKnown = false;
  for (const r of routes) {
    if (r.pattern.length !== segs.length) continue;
    const params: Record<string, string> = {};
    const ok = r.pattern.every((pat, i) => {
      const seg = segs[i] ?? '';
      const name = syntax.name(pat);
      if (name === undefined) return pat === seg;
      const v = syntax.value(seg);
      if (v !== undefined) params[name] = v;
      return v !== undefined;
    });
    if (!ok) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, params, pathKnown };
  }
  return { params: {}, pathKnown };
}
