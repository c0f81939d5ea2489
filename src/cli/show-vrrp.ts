import type { DeviceRt } from '../device/device.js';
import { formatIpv4, formatIpv6 } from '../packet/addr.js';
import { VRRP_BACKUP, VRRP_MASTER, VRRP_STATE_NAMES, type VrrpInstance } from '../vrrp/vrrp.js';

// `show vrrp` as Junos prints it (brief): one block per group, the local
// address (lcl), the virtual addresses (vip) and, on a backup, the master's
// (mas). Timer is the running one: A (advertisement, master) or D (master
// down, backup), in seconds from the last input time the run reached.

const HEADER = 'Interface     State       Group   VR state       VR Mode    Timer    Type   Address';

function row(cols: [string, string, string, string, string, string], type: string, addr: string): string {
  const [ifl, state, group, vr, mode, timer] = cols;
  return `${ifl.padEnd(14)}${state.padEnd(12)}${group.padStart(5)}   ${vr.padEnd(15)}${mode.padEnd(11)}${timer.padEnd(9)}${type.padEnd(7)}${addr}`.trimEnd();
}

function timer(dev: DeviceRt, m: VrrpInstance): string {
  const s = dev.vrrp!.domain.timerSec(m).toFixed(3);
  return m.state === VRRP_MASTER ? `A ${s.padStart(6)}` : m.state === VRRP_BACKUP ? `D ${s.padStart(6)}` : '';
}

export function showVrrp(dev: DeviceRt): string {
  if (!dev.vrrp) return `error: the vrrp subsystem is not running (${dev.name} has no VRRP groups)`;
  const lines = [HEADER];
  for (const m of dev.vrrp.instances) {
    const up = m.linkUp;
    lines.push(row([m.name, up ? 'up' : 'down', String(m.vrid), VRRP_STATE_NAMES[m.state], 'Active', timer(dev, m)], 'lcl', m.model.address));
    const vips = m.family === 4 ? m.vip4.map((v) => formatIpv4(v)) : m.vip6.map((v) => formatIpv6(v));
    for (const v of vips) lines.push(row(['', '', '', '', '', ''], 'vip', v));
    if (m.state === VRRP_BACKUP && m.masterAddress) lines.push(row(['', '', '', '', '', ''], 'mas', m.masterAddress));
  }
  return lines.join('\n');
}
