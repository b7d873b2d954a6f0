/**
 * The Docker driver against Cloud-Twin's Docker Engine API over its Unix socket: the shared driver
 * contract (commands through Engine exec, as containers have no sshd), and a look through the
 * Engine for any container or network of ours left behind.
 */
import Dockerode from 'dockerode';
import { buildDockerDriver } from '../src/docker/index.js';
import { runContractOnTwin } from './contract.js';
import { bootTwin, dockerConnection } from './docker-twin.js';

runContractOnTwin('docker on Cloud-Twin', bootTwin, ({ twin }) => {
  const driver = buildDockerDriver({ connection: dockerConnection(twin), credentials: { kind: 'default-chain' } }, { minDelayMs: 20 });
  const engine = new Dockerode({ socketPath: new URL(twin.endpoints.docker).pathname });
  return {
    driver,
    sshPort: 22,
    sshUser: 'root',
    publicIp: false,
    // Through the driver's exec transport, as the core runs commands on containers.
    run: async (vm, cmd) => {
      const r = await driver.exec.exec({ vm: 'web-1', connection: 'twin-docker', provider: 'docker', providerId: vm.providerId }, cmd);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
    leftovers: async (tags) => {
      const label = Object.entries(tags).map(([k, v]) => `${k}=${v}`);
      const containers = await engine.listContainers({ all: true, filters: { label } });
      const networks = await engine.listNetworks({ filters: { label } });
      return [...containers.map((c) => `containers/${c.Id}`), ...networks.map((n) => `networks/${n.Name}`)];
    },
  };
});
