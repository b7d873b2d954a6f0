/** What the Engine API returns for containers, images and networks (the fields clients read). */
import type { DockerState } from './engine.js';
import type { DockerContainer, DockerImage, DockerNetwork } from './model.js';

export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '24.0.9-cloud-twin';

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Docker's "About a minute" / "3 hours" wording (go-units HumanDuration). */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

export function statusLine(c: DockerContainer, now = Date.now()): string {
  switch (c.status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${humanDuration(now - Date.parse(c.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(c.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`;
    default:
      return `Exited (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`;
  }
}

function command(c: DockerContainer, image: DockerImage | undefined): string[] {
  return [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? (c.config.Entrypoint ? [] : (image?.cmd ?? [])))];
}

function networkSettings(c: DockerContainer) {
  const networks = Object.fromEntries(
    Object.entries(c.networks).map(([name, e]) => [name, { ...e, IPAMConfig: null, Links: null, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null }]),
  );
  return { Networks: networks };
}

export function containerSummary(state: DockerState, c: DockerContainer) {
  const image = state.images.get(c.imageId);
  const argv = command(c, image);
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.config.Image,
    ImageID: c.imageId,
    Command: argv.join(' '),
    Created: unix(c.created),
    Ports: [],
    Labels: c.config.Labels,
    State: c.status,
    Status: statusLine(c),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode },
    NetworkSettings: networkSettings(c),
    Mounts: [],
  };
}

export function containerInspect(state: DockerState, c: DockerContainer, homeDir: string) {
  const image = state.images.get(c.imageId);
  const argv = command(c, image);
  const primary = Object.values(c.networks)[0];
  return {
    Id: c.id,
    Created: c.created,
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    State: {
      Status: c.status,
      Running: c.status === 'running' || c.status === 'paused',
      Paused: c.status === 'paused',
      Restarting: c.status === 'restarting',
      OOMKilled: false,
      Dead: c.status === 'dead',
      Pid: c.pid,
      ExitCode: c.exitCode,
      Error: '',
      StartedAt: c.startedAt,
      FinishedAt: c.finishedAt,
    },
    Image: c.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: '',
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      ...c.hostConfig,
      CpuShares: 0,
      MemorySwap: c.hostConfig.Memory ? c.hostConfig.Memory * 2 : 0,
      PortBindings: {},
      Binds: null,
      LogConfig: { Type: 'json-file', Config: {} },
    },
    GraphDriver: { Name: 'overlay2', Data: { MergedDir: homeDir } },
    Mounts: [],
    Config: { ...c.config, Domainname: '', AttachStdin: false, StdinOnce: false, ExposedPorts: null, Volumes: null, OnBuild: null },
    NetworkSettings: {
      ...networkSettings(c),
      Bridge: '',
      SandboxID: '',
      Ports: {},
      Gateway: primary?.Gateway ?? '',
      IPAddress: c.networks.bridge?.IPAddress ?? '',
      IPPrefixLen: primary?.IPPrefixLen ?? 0,
      MacAddress: c.networks.bridge?.MacAddress ?? '',
    },
  };
}

export function imageSummary(state: DockerState, i: DockerImage) {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: unix(i.created),
    Size: i.size,
    SharedSize: -1,
    VirtualSize: i.size,
    Labels: null,
    Containers: [...state.containers.values()].filter((c) => c.imageId === i.id).length,
  };
}

export function imageInspect(i: DockerImage) {
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Parent: '',
    Comment: '',
    Created: i.created,
    DockerVersion: '',
    Author: '',
    Config: { Env: i.env, Cmd: i.cmd, Entrypoint: null, Labels: null, WorkingDir: '' },
    Architecture: i.architecture,
    Os: i.os,
    Size: i.size,
    GraphDriver: { Name: 'overlay2', Data: {} },
    RootFS: { Type: 'layers', Layers: i.layers },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

export function networkView(state: DockerState, n: DockerNetwork) {
  const bridged = n.Driver === 'bridge';
  return {
    Name: n.Name,
    Id: n.Id,
    Created: n.Created,
    Scope: n.Scope,
    Driver: n.Driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: bridged ? [{ Subnet: `172.${n.subnetIndex}.0.0/16`, Gateway: `172.${n.subnetIndex}.0.1` }] : [] },
    Internal: n.Internal,
    Attachable: n.Attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      state.attached(n).map((c) => {
        const e = c.networks[n.Name]!;
        return [c.id, { Name: c.name, EndpointID: e.EndpointID, MacAddress: e.MacAddress, IPv4Address: `${e.IPAddress}/${e.IPPrefixLen}`, IPv6Address: '' }];
      }),
    ),
    Options: n.Options,
    Labels: n.Labels,
  };
}

export function versionView() {
  return {
    Platform: { Name: 'Cloud-Twin Docker Engine' },
    Components: [{ Name: 'Engine', Version: ENGINE_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: 'amd64' } }],
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'cloudtwin',
    GoVersion: 'go1.20.13',
    Os: 'linux',
    Arch: 'amd64',
    KernelVersion: '',
    BuildTime: '2024-01-01T00:00:00.000000000+00:00',
  };
}

export function infoView(state: DockerState, stateDir: string) {
  const all = [...state.containers.values()];
  const count = (s: string) => all.filter((c) => c.status === s).length;
  return {
    ID: state.host.name,
    Containers: all.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: all.length - count('running') - count('paused'),
    Images: state.images.size,
    Driver: 'overlay2',
    NCPU: state.host.ncpu,
    MemTotal: state.host.memTotal,
    Name: state.host.name,
    OperatingSystem: 'Cloud-Twin',
    OSType: 'linux',
    Architecture: 'x86_64',
    KernelVersion: '',
    ServerVersion: ENGINE_VERSION,
    DockerRootDir: stateDir,
    IndexServerAddress: 'https://index.docker.io/v1/',
    Labels: [],
    ExperimentalBuild: false,
    Warnings: null,
  };
}
