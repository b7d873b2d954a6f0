/** The twin's Docker Engine resources, kept in the Engine API's own shapes where it has them. */
import type { BackedVm } from '../vm/lifecycle.js';

export interface DockerImage {
  /** `sha256:…` */
  id: string;
  /** Familiar references: `ubuntu:22.04`, `myorg/app:1`. */
  repoTags: string[];
  repoDigests: string[];
  created: string;
  size: number;
  os: string;
  architecture: string;
  cmd: string[];
  env: string[];
  layers: string[];
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface ContainerConfig {
  Hostname: string;
  User: string;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  Image: string;
  WorkingDir: string;
  Labels: Record<string, string>;
  Tty: boolean;
  OpenStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
}

export interface ContainerHostConfig {
  NanoCpus: number;
  Memory: number;
  RestartPolicy: RestartPolicy;
  NetworkMode: string;
  AutoRemove: boolean;
}

export interface EndpointSettings {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  Aliases: string[] | null;
}

/** Docker's container states: `created`, `running`, `paused`, `restarting`, `exited`, `dead`. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

export interface DockerContainer {
  id: string;
  /** Without the leading slash the API puts before it. */
  name: string;
  created: string;
  imageId: string;
  config: ContainerConfig;
  hostConfig: ContainerHostConfig;
  networks: Record<string, EndpointSettings>;
  status: ContainerStatus;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  pid: number;
  restartCount: number;
  /** Stopped by the user: `unless-stopped` keeps it stopped across a daemon restart. */
  stoppedByUser: boolean;
  /** The runtime's record: home dir (the container's file system) and state timers. */
  vm: BackedVm;
}

export interface DockerNetwork {
  Id: string;
  Name: string;
  Created: string;
  Driver: string;
  Scope: 'local';
  Internal: boolean;
  Attachable: boolean;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  /** The /16 this network hands addresses from: `172.<n>.0.0`. */
  subnetIndex: number;
  /** Next host number to hand out in the subnet. */
  nextHost: number;
}

export interface DockerSnapshot {
  images: DockerImage[];
  containers: DockerContainer[];
  networks: DockerNetwork[];
}
