#!/usr/bin/env node
/**
 * cloud-twin daemon:
 *
 *   cloud-twin --state-dir DIR [--port N] [--azure-port N] [--alibaba-port N] [--docker-port N] [--boot-delay 2s] [--stop-delay 1s] [--ssh-port N]
 *              [--fault SPEC]... [--terminated-retention 1h] [--isolation auto|on|off]
 *
 * Without --port/--azure-port it takes the ports of its last run again (DIR/ports.json) when they
 * are free, so the endpoints its clients were given stay right across a restart.
 * Once listening it writes DIR/twin.json ({pid, endpoints, adminUrl, sshPort, bootDelayMs,
 * startedAt}) and logs one line per request to DIR/twin.log. SIGTERM, SIGINT or
 * POST /_twin/shutdown close every VM's SSH server, save the state, remove twin.json and exit 0.
 * Fault SPEC syntax: see parseFaultSpec ([PROVIDER:]ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT]).
 */
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from './duration.js';
import { parseFaultSpec, type FaultRule } from './faults.js';
import { writeFileAtomic } from './state.js';
import { startTwin, type TwinPorts } from './twin.js';

/** The ports of the last run, so a restarted twin keeps the endpoints its clients were given. */
function lastPorts(file: string): TwinPorts {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as TwinPorts;
    const port = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined);
    return { aws: port(saved.aws), azure: port(saved.azure), alibaba: port(saved.alibaba), docker: port(saved.docker) };
  } catch {
    return {};
  }
}

const USAGE = `usage: cloud-twin --state-dir DIR [--host 127.0.0.1] [--port N] [--azure-port N] [--alibaba-port N] [--docker-port N] [--boot-delay 2s]
                  [--stop-delay 1s] [--ssh-port 2222] [--terminated-retention 1h]
                  [--isolation auto|on|off] [--fault [PROVIDER:]ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT]]...`;

function usage(message: string): never {
  process.stderr.write(`cloud-twin: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 65535) usage(`--${name} must be a port number, got '${v}'`);
  return Number(v);
}

function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    return usage(`--${name}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'state-dir': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'azure-port': { type: 'string' },
        'alibaba-port': { type: 'string' },
        'docker-port': { type: 'string' },
        'boot-delay': { type: 'string' },
        'stop-delay': { type: 'string' },
        'ssh-port': { type: 'string' },
        fault: { type: 'string', multiple: true },
        'terminated-retention': { type: 'string' },
        isolation: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stateDirFlag = values['state-dir'];
  if (!stateDirFlag) return usage('--state-dir is required');
  const stateDir = resolve(stateDirFlag);
  let faults: FaultRule[];
  try {
    faults = (values.fault ?? []).map(parseFaultSpec);
  } catch (e) {
    return usage((e as Error).message);
  }

  const isolation = values.isolation ?? 'auto';
  if (isolation !== 'auto' && isolation !== 'on' && isolation !== 'off') return usage(`--isolation must be auto, on or off, got '${isolation}'`);

  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const logStream = createWriteStream(join(stateDir, 'twin.log'), { flags: 'a' });
  const logLine = (line: string) => logStream.write(`${line}\n`);
  const twinJson = join(stateDir, 'twin.json');
  const portsJson = join(stateDir, 'ports.json');

  const twin = await startTwin({
    stateDir,
    host: values.host,
    port: intFlag('port', values.port),
    azurePort: intFlag('azure-port', values['azure-port']),
    preferredPorts: lastPorts(portsJson),
    alibabaPort: intFlag('alibaba-port', values['alibaba-port']),
    dockerPort: intFlag('docker-port', values['docker-port']),
    sshPort: intFlag('ssh-port', values['ssh-port']),
    bootDelayMs: durationFlag('boot-delay', values['boot-delay']),
    stopDelayMs: durationFlag('stop-delay', values['stop-delay']),
    terminatedRetentionMs: durationFlag('terminated-retention', values['terminated-retention']),
    faults,
    isolation,
    log: (m) => logLine(`${new Date().toISOString()} twin ${m}`),
    onRequest: (e) =>
      logLine(`${e.time} ${e.requestId} ${e.region ?? '-'} ${e.action ?? '-'} ${e.status} ${e.code ?? '-'} ${e.ms}ms`),
  });
  const status = twin.status();
  const portOf = (url: string | undefined) => (url ? Number(new URL(url).port) : undefined);
  const ports: TwinPorts = { aws: portOf(twin.endpoints.aws), azure: portOf(twin.endpoints.azure), alibaba: portOf(twin.endpoints.alibaba), docker: portOf(status.docker.tcp.replace(/^tcp:/, 'http:')) };
  await writeFileAtomic(portsJson, `${JSON.stringify(ports)}\n`);
  await writeFileAtomic(
    twinJson,
    `${JSON.stringify(
      {
        pid: process.pid,
        endpoints: twin.endpoints,
        caFile: twin.caFile,
        adminUrl: twin.adminUrl,
        sshPort: twin.sshPort,
        bootDelayMs: twin.bootDelayMs,
        startedAt: status.startedAt,
      },
      null,
      2,
    )}\n`,
  );
  logLine(`${status.startedAt} twin listening on ${twin.endpoints.aws} (pid ${process.pid})`);

  const onSignal = () => void twin.close();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await twin.closed;
  await rm(twinJson, { force: true });
  logLine(`${new Date().toISOString()} twin stopped`);
  await new Promise<void>((r) => logStream.end(() => r()));
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`cloud-twin: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
