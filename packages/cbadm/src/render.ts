/** Rendering of results and errors for every output format: the contract cbadm shares with cbmon. */
export { makeTable, renderError, renderResult, wideTablesOn, type OutputFormat } from '@cloud-barista/cli-kit/render';
