import type { DeviceRt } from '../device/device.js';
import { ArpInput, Ip4Arp } from './arp.js';
import { EthernetInput, InterfaceOutput } from './ethernet.js';
import { Ip4IcmpError, Ip4Local } from './icmp4.js';
import { Ip6IcmpError, Ip6Local } from './icmp6.js';
import { Ip4Input, Ip4Lookup } from './ip4.js';
import { Ip4Fragment, IpRewrite } from './rewrite.js';
import { Ip6Input, Ip6Lookup } from './ip6.js';
import { Ip6Nd } from './nd.js';
import { EspEncrypt } from './esp-encrypt.js';
import { EspDecrypt } from './esp-decrypt.js';
import { SiOutsideInput, St0Input, St0Output } from './ipsec.js';
import { GreEncap, GreInput } from './gre.js';
import { MplsInput, MplsLookup, MplsOutput } from './mpls.js';
import { BridgeInput, IrbInput } from './bridge.js';
import { L2Flood, L2Output } from './l2-flood.js';
import { VxlanEncap, VxlanInput } from './vxlan.js';
import { EdgeInput } from './edge.js';

/**
 * The forwarding graph of a router. The sweep order is this order: data
 * before ARP/ND, so within one vector a packet is held before the reply that
 * resolves its next hop is taken in.
 */
export function addForwardingNodes(dev: DeviceRt): void {
  const g = dev.graph;
  g.add(new EthernetInput(dev));
  if (dev.bridge) {
    // Bridge domains and VXLAN (nodes/bridge.ts, l2-flood.ts, vxlan.ts), only on devices with bridge domains.
    // Internet-exchange edge ports (nodes/edge.ts), only on devices with `edge:` ports.
    if (dev.model.edge?.length) g.add(new EdgeInput(dev));
    g.add(new BridgeInput(dev));
    g.add(new L2Flood(dev));
    g.add(new L2Output(dev));
    g.add(new IrbInput(dev));
    g.add(new VxlanEncap(dev));
  }
  g.add(new Ip4Input(dev));
  g.add(new Ip4Lookup(dev));
  g.add(new Ip4Local(dev));
  if (dev.bridge?.udpPorts.length) g.add(new VxlanInput(dev));
  if (dev.gre || dev.mpls) {
    // GRE tunnels and static MPLS (nodes/gre.ts, nodes/mpls.ts); mpls-output before ip4-arp, where it holds packets.
    g.add(new GreInput(dev));
    g.add(new MplsInput(dev));
    g.add(new MplsLookup(dev));
    g.add(new MplsOutput(dev));
    g.add(new GreEncap(dev));
  }
  g.add(new Ip4IcmpError(dev));
  g.add(new Ip4Arp(dev));
  g.add(new IpRewrite(dev, 4));
  g.add(new Ip4Fragment());
  g.add(new Ip6Input(dev));
  g.add(new Ip6Lookup(dev));
  // ip6-nd before ip6-local (where NA/NS are taken in), as ip4-arp before arp-input.
  g.add(new Ip6Nd(dev));
  g.add(new Ip6Local(dev));
  g.add(new Ip6IcmpError(dev));
  g.add(new IpRewrite(dev, 6));
  if (dev.ipsec && dev.vpns.length) {
    // The inline IPsec pipeline (nodes/ipsec.ts), only on devices with route-based VPNs.
    g.add(new St0Output(dev));
    g.add(new Ip4Fragment('st0-fragment', 'st0-output'));
    g.add(new EspEncrypt(dev.ipsec, { next4: 'si-outside-input', next6: 'si-outside-input' }));
    g.add(new SiOutsideInput(dev));
    g.add(new EspDecrypt(dev.ipsec, { next4: 'st0-input', next6: 'st0-input' }));
    g.add(new St0Input(dev));
  }
  g.add(new ArpInput(dev));
  g.add(new InterfaceOutput(dev));
}
