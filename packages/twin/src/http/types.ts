/** Types the twin's HTTP front and every API handler share; a leaf, so handlers need not import the server. */

/** One served request, as the twin's request log and `onRequest` hooks see it. */
export interface RequestLogEntry {
  time: string;
  requestId: string;
  /** Absent for EC2; `gcp`, `azure`, `aws-pricing`… for the others. */
  provider?: string;
  region?: string;
  action?: string;
  status: number;
  code?: string;
  ms: number;
}

export type OnRequest = (e: RequestLogEntry) => void;

/** What a REST handler (ARM, OpenStack) answers: the server writes the body as JSON. */
export interface JsonReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a REST handler (ARM, OpenStack) is given of its request, besides its engine and scope. */
export interface JsonRequest {
  /** Path parameters the route captured. */
  p: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The URL links in the answer start with. */
  base: string;
}
