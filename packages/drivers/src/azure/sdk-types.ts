/** Types the Azure SDK uses but does not export by name; a leaf, so the client's helpers need not import the client. */
import type { ComputeManagementClient, ComputeManagementClientOptionalParams } from '@azure/arm-compute';

export type TokenCredential = ConstructorParameters<typeof ComputeManagementClient>[0];
export type HttpClient = NonNullable<ComputeManagementClientOptionalParams['httpClient']>;
