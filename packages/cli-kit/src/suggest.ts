/** "Did you mean" lives in core (manifest checks use it too); the CLIs reach it here as before. */
export { closest, editDistance } from '@cloud-barista/core/util/suggest';
