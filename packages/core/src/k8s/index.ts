export * from './manifest.js';
export * from '../records/k8s.js';
export * from './view.js';
export * from './service.js';
export { clusterPorts, type PortRule } from './ports.js';
export { STEPS, SCRIPTS_DIR, stepScript, STEP_LAUNCHER } from './scripts.js';
export { defaultKubeconfigPath, mergeKubeconfig, renameKubeconfig } from './kubeconfig.js';
