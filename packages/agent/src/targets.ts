/**
 * Which VMs a command works on, and how to reach each: the MCIS record in the state store (the same
 * one cbadm keeps) gives names, status, addresses and the SSH key; cbmon never calls a cloud (a
 * driver that brings its own exec transport is loaded for that transport only).
 */
import type { Core, McisView, VmView } from '@cloud-barista/core';
import type { ExecTarget } from '@cloud-barista/core/exec/transport';
import { NotFoundError, UsageError } from '@cloud-barista/core/errors';
import type { VmRef } from './sample.js';

export interface Selector {
  subgroup?: string;
  vm?: string;
}

export interface MonTarget {
  ref: VmRef;
  vm: VmView;
}

export function refOfVm(m: Pick<McisView, 'ns' | 'name'>, vm: VmView): VmRef {
  // Machines adopted with `cbadm mcis register` may have no cloud or region: tags are never empty.
  return {
    ns: m.ns,
    mcis: m.name,
    vm: vm.name,
    subgroup: vm.subgroup,
    csp: vm.provider || 'none',
    region: vm.region || 'none',
  };
}

/** The selected VMs of an MCIS; unknown MCIS, subgroup or VM names are NotFoundError (exit 4). */
export function selectTargets(core: Core, ns: string, mcis: string, sel: Selector = {}): MonTarget[] {
  const view = core.mcis.view(ns, mcis);
  let vms = view.vms;
  if (sel.vm) {
    const vm = vms.find((v) => v.name === sel.vm);
    if (!vm)
      throw new NotFoundError('VM', sel.vm, {
        hint: `MCIS '${mcis}' has: ${vms.map((v) => v.name).join(', ') || 'no VMs'}`,
      });
    if (sel.subgroup && vm.subgroup !== sel.subgroup)
      throw new UsageError(`VM '${sel.vm}' is not in subgroup '${sel.subgroup}'`);
    vms = [vm];
  } else if (sel.subgroup) {
    vms = vms.filter((v) => v.subgroup === sel.subgroup);
    if (!vms.length) {
      const groups = [...new Set(view.vms.map((v) => v.subgroup))];
      throw new NotFoundError('subgroup', sel.subgroup, {
        hint: `MCIS '${mcis}' has subgroups: ${groups.join(', ') || 'none'}`,
      });
    }
  }
  return vms.map((vm) => ({ ref: refOfVm(view, vm), vm }));
}

/** How to reach the VM now, or why not (it is suspended, has no address…). */
export function reach(core: Core, ref: VmRef): { target: ExecTarget } | { wait: string } {
  try {
    return { target: core.mcis.execTarget(ref.ns, ref.mcis, ref.vm) };
  } catch (e) {
    return { wait: (e as Error).message };
  }
}
