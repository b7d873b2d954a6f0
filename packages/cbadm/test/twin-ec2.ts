/** Reads the twin's EC2 API directly (as AWS users would with aws-cli) to check what really exists. */
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeVpcsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';

export function ec2(endpoint: string, region: string): EC2Client {
  return new EC2Client({ endpoint, region, credentials: { accessKeyId: 'AKIATESTTEST', secretAccessKey: 'test' } });
}

export async function instancesTagged(endpoint: string, region: string, tags: Record<string, string>): Promise<Instance[]> {
  const client = ec2(endpoint, region);
  const out: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const r = await client.send(
      new DescribeInstancesCommand({ Filters: Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })), MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const res of r.Reservations ?? []) out.push(...(res.Instances ?? []));
    NextToken = r.NextToken;
  } while (NextToken);
  client.destroy();
  return out;
}

export async function managedVpcs(endpoint: string, region: string): Promise<number> {
  const client = ec2(endpoint, region);
  const r = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
  client.destroy();
  return r.Vpcs?.length ?? 0;
}

export async function managedKeyPairs(endpoint: string, region: string): Promise<number> {
  const client = ec2(endpoint, region);
  const r = await client.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
  client.destroy();
  return r.KeyPairs?.length ?? 0;
}
