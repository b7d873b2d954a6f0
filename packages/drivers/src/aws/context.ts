/** What every resource module of the AWS driver shares: the client and the connection it serves. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Connection } from '@cloud-barista/core/model';

export interface AwsTuning {
  /** How long deletes retry DependencyViolation (terminated instances release ENIs late). */
  dependencyWaitMs: number;
}

export interface AwsContext {
  readonly client: EC2Client;
  readonly connection: Connection;
  readonly tuning: AwsTuning;
  /** A short-lived client for another region, same endpoint and credentials; the caller destroys it. */
  clientFor(region: string): EC2Client;
}
