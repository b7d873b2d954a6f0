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
