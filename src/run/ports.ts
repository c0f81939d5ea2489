import type { DeviceRt } from '../device/device.js';

/** A port of a run: one IFD of one device. */
export interface Port {
  dev: DeviceRt;
  devIndex: number;
  ifd: number;
  /** As the user names it: "et-0/2/10" in a one-device run, "PE1:et-0/2/10" in a scenario. */
  name: string;
}

/** File name of a port's output pcap: every character outside [A-Za-z0-9.-] becomes "_". */
export function portFileName(port: string): string {
  return `${port.replace(/[^A-Za-z0-9.-]/g, '_')}.pcap`;
}

/** Finds a port by name; a bare IFD name is accepted when the run has one device. Throws a one-line reason. */
export function findPort(devices: DeviceRt[], name: string): Port {
  const colon = name.indexOf(':');
  let devIndex = 0;
  let ifdName = name;
  if (colon >= 0) {
    const devName = name.slice(0, colon);
    devIndex = devices.findIndex((d) => d.name === devName);
    if (devIndex < 0) throw new Error(`unknown device "${devName}" in port "${name}" (devices: ${devices.map((d) => d.name).join(', ')})`);
    ifdName = name.slice(colon + 1);
  } else if (devices.length > 1) {
    throw new Error(`port "${name}" must be given as <device>:<interface> in a scenario of several devices`);
  }
  const dev = devices[devIndex];
  const ifd = dev.ifs.ifd(ifdName);
  if (ifd < 0) throw new Error(`unknown interface "${ifdName}" on ${dev.name} (ports: ${dev.ifs.ifds.filter((i) => i.ethernet).map((i) => i.name).join(', ')})`);
  if (!dev.ifs.ifds[ifd].ethernet) throw new Error(`"${ifdName}" on ${dev.name} is not a port: it carries no Ethernet frames of its own`);
  return { dev, devIndex, ifd, name: portName(devices, dev, ifd) };
}

export function portName(devices: DeviceRt[], dev: DeviceRt, ifd: number): string {
  const ifdName = dev.ifs.ifds[ifd].name;
  return devices.length > 1 ? `${dev.name}:${ifdName}` : ifdName;
}
