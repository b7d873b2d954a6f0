/** Rendering of results and errors for every output format: the contract cbmon shares with cbadm. */
export { makeTable, renderResult, type OutputFormat } from '@cloud-barista/cli-kit/render';
