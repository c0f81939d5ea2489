// The shape of the Junos hierarchy, as far as triode needs it.
//
// Both syntaxes are reduced to word paths (`interfaces et-0/0/0 unit 0 family
// inet address 10.0.0.1/24`) and the tree is rebuilt from those paths with this
// schema, so the curly form and the set form always give the same tree. The
// schema says where a path splits into statements: `unit` takes one argument
// and opens a container, `interfaces` has named children, `arp` is a leaf that
// takes the rest of the words, `mtu` is a single-valued leaf (set again, it
// replaces). Hierarchies the schema does not know split one word per level,
// except that the last two words form the leaf (`filter input F` → `filter` {
// `input F` }). To model a new hierarchy, describe its shape here first, then
// add a handler in the builder.

export interface SchemaNode {
  /** Keywords known at this level. */
  kw?: Record<string, KwEntry>;
  /** Children that are not keywords are named entries (`interfaces <name>`), each with this schema. */
  named?: SchemaNode | (() => SchemaNode);
}

export interface KwEntry {
  /** Number of words after the keyword that name the statement (`unit 0` → 1). */
  args?: number;
  /** A leaf that takes all the remaining words (`arp 10.0.0.2 mac 00:11:..`, `vlan-tags outer 1 inner 2`). */
  rest?: boolean;
  /** A single-valued leaf: set again, it replaces the old value; in groups, identified by its keyword alone. */
  value?: boolean;
  /** Schema of the container the statement opens; generic when absent. */
  schema?: SchemaNode | (() => SchemaNode);
}

export function resolveSchema(s: SchemaNode | (() => SchemaNode) | undefined): SchemaNode | undefined {
  return typeof s === 'function' ? s() : s;
}

const V: KwEntry = { value: true, rest: true };
const R: KwEntry = { rest: true };
const A1 = (schema?: SchemaNode | (() => SchemaNode)): KwEntry => ({ args: 1, schema });
const C = (schema: SchemaNode | (() => SchemaNode)): KwEntry => ({ schema });

/** Statements allowed at any level. */
export const ANY_LEVEL: Record<string, KwEntry> = {
  'apply-groups': R,
  'apply-groups-except': R,
  description: V,
};

const ADDRESS: SchemaNode = {
  kw: {
    arp: R,
    ndp: R,
    primary: R,
    preferred: R,
    broadcast: V,
    destination: V,
    'vrrp-group': A1(() => VRRP_GROUP),
    'vrrp-inet6-group': A1(() => VRRP_GROUP),
    'virtual-gateway-address': V,
  },
};

// VRRP groups on an address (see vrrp-config.ts); `track` and authentication are accepted, not emulated.
const VRRP_GROUP: SchemaNode = {
  kw: {
    'virtual-address': R,
    'virtual-inet6-address': R,
    'virtual-link-local-address': V,
    priority: V,
    preempt: C({ kw: { 'hold-time': V } }),
    'no-preempt': R,
    'accept-data': R,
    'no-accept-data': R,
    'advertise-interval': V,
    'inet6-advertise-interval': V,
    'fast-interval': V,
    'advertisements-threshold': V,
    'authentication-type': V,
    'authentication-key': V,
    track: C({ kw: { interface: A1(), route: A1(), 'priority-hold-time': V } }),
  },
};

const FAMILY: SchemaNode = {
  kw: {
    address: A1(ADDRESS),
    mtu: V,
    filter: C({ kw: { input: V, output: V, 'input-list': R, 'output-list': R } }),
    'rpf-check': C({}),
    sampling: C({}),
  },
};

// GRE tunnels on gr- units and static LSPs (see junos-mpls.ts).
const GRE_TUNNEL: SchemaNode = {
  kw: {
    source: V,
    destination: V,
    'routing-instance': C({ kw: { destination: V } }),
    ttl: V,
    'allow-fragmentation': R,
    'do-not-fragment': R,
    key: V,
  },
};

const UNIT: SchemaNode = {
  kw: {
    family: A1(FAMILY),
    'vlan-id': V,
    'vlan-tags': { value: true, rest: true },
    'vlan-id-list': R,
    encapsulation: V,
    disable: R,
    'proxy-arp': V,
    tunnel: C(GRE_TUNNEL),
    'service-domain': V,
    'virtual-gateway-accept-data': R,
    'virtual-gateway-v4-mac': V,
    'virtual-gateway-v6-mac': V,
  },
};

const IFD: SchemaNode = {
  kw: {
    unit: A1(UNIT),
    mtu: V,
    mac: V,
    encapsulation: V,
    'vlan-tagging': R,
    'flexible-vlan-tagging': R,
    'stacked-vlan-tagging': R,
    'native-vlan-id': V,
    disable: R,
    speed: V,
    'gigether-options': C({ kw: { '802.3ad': V } }),
    'ether-options': C({ kw: { '802.3ad': V } }),
    'aggregated-ether-options': C({ kw: { lacp: C({ kw: { periodic: V } }), 'minimum-links': V } }),
  },
};

const QUALIFIED_NH: SchemaNode = { kw: { preference: V, metric: V, interface: V } };

const ROUTE: SchemaNode = {
  kw: {
    'next-hop': { args: 1 },
    'qualified-next-hop': A1(QUALIFIED_NH),
    discard: R,
    reject: R,
    receive: R,
    'next-table': V,
    'static-lsp-next-hop': V,
    'lsp-next-hop': A1(),
    preference: V,
    metric: V,
    tag: V,
    resolve: R,
    'no-readvertise': R,
    community: R,
  },
};

const STATIC: SchemaNode = { kw: { route: A1(ROUTE), defaults: C({ kw: { preference: V, metric: V } }) } };

const ROUTING_OPTIONS: SchemaNode = {
  kw: {
    static: C(STATIC),
    rib: A1({ kw: { static: C(STATIC) } }),
    'router-id': V,
    'autonomous-system': V,
    'route-distinguisher-id': V,
    'forwarding-table': C({ kw: { export: R } }),
  },
};

// BGP sessions (see junos-bgp.ts): the same statements at the bgp, group and neighbor levels.
const BGP_FAMILY: SchemaNode = { kw: { signaling: R, unicast: R, 'labeled-unicast': R, multicast: R, any: R } };
const BGP_OPTIONS: Record<string, KwEntry> = {
  type: V,
  'peer-as': V,
  'local-as': R,
  'local-address': V,
  family: A1(BGP_FAMILY),
  export: R,
  import: R,
  'as-override': R,
  'metric-out': R,
  cluster: V,
  multipath: C({ kw: { 'multiple-as': R } }),
  'hold-time': V,
  'authentication-key': V,
  passive: R,
  'log-updown': R,
  keep: V,
  'bfd-liveness-detection': C({}),
};
const BGP_NEIGHBOR: SchemaNode = { kw: BGP_OPTIONS };

// EVPN-VXLAN in mac-vrf / virtual-switch instances (see junos-l2.ts).
const EVPN: SchemaNode = {
  kw: { encapsulation: V, 'default-gateway': V, 'no-arp-suppression': R, 'extended-vni-list': R, 'duplicate-mac-detection': C({}) },
};

/** `mac-table-size 100;` or `mac-table-size { limit 100; packet-action drop; }` (also interface-mac-limit). */
const MAC_LIMIT: KwEntry = C({ kw: { limit: V, 'packet-action': V } });

const L2_OPTIONS: SchemaNode = {
  kw: { 'mac-table-size': MAC_LIMIT, 'interface-mac-limit': MAC_LIMIT, 'mac-table-aging-time': V, 'no-mac-learning': R },
};

const BRIDGE_DOMAIN: SchemaNode = {
  kw: {
    'vlan-id': V,
    'vlan-id-list': R,
    interface: A1(),
    'routing-interface': V,
    'domain-type': V,
    'no-arp-suppression': R,
    vxlan: C({
      kw: {
        vni: V,
        'static-remote-vtep-list': R,
        'destination-udp-port': V,
        'ingress-node-replication': R,
        'encapsulate-inner-vlan': R,
        'decapsulate-accept-inner-vlan': R,
      },
    }),
    'bridge-options': C(L2_OPTIONS),
  },
};

// sFlow (see junos-sflow.ts): `sample-rate N` or `sample-rate { ingress N; egress M; }`.
const SFLOW_RATE: KwEntry = C({ kw: { ingress: V, egress: V } });
const SFLOW: SchemaNode = {
  kw: {
    disable: R,
    'agent-id': V,
    'source-ip': V,
    collector: A1({ kw: { 'udp-port': V } }),
    interfaces: A1({ kw: { 'polling-interval': V, 'sample-rate': SFLOW_RATE, disable: R } }),
    'polling-interval': V,
    'sample-rate': SFLOW_RATE,
  },
};

const PROTOCOLS: SchemaNode = {
  kw: {
    bgp: C({ kw: { ...BGP_OPTIONS, group: A1({ kw: { ...BGP_OPTIONS, neighbor: A1(BGP_NEIGHBOR) } }) } }),
    isis: C({ kw: { interface: A1({ kw: { level: A1() } }), level: A1() } }),
    ospf: C({ kw: { area: A1({ kw: { interface: A1() } }) } }),
    ospf3: C({ kw: { area: A1({ kw: { interface: A1() } }) } }),
    lldp: C({ kw: { interface: A1() } }),
    ldp: C({ kw: { interface: A1() } }),
    rsvp: C({ kw: { interface: A1() } }),
    mpls: C({
      kw: {
        interface: R,
        'no-propagate-ttl': R,
        'static-label-switched-path': A1({
          kw: {
            ingress: C({ kw: { 'next-hop': V, to: V, push: V, preference: V, metric: V, bandwidth: V, description: V } }),
            transit: A1({ kw: { 'next-hop': V, pop: R, swap: V, bandwidth: V, description: V } }),
            bypass: A1(),
          },
        }),
      },
    }),
    evpn: C(EVPN),
    vrrp: C({ kw: { 'version-3': R, 'startup-silent-period': V, 'delegate-processing': R, traceoptions: C({}) } }),
    'router-advertisement': C({ kw: { interface: A1() } }),
    sflow: C(SFLOW),
  },
};

const ROUTING_INSTANCE: SchemaNode = {
  kw: {
    'instance-type': V,
    interface: A1(),
    'route-distinguisher': V,
    'vrf-target': C({ kw: { import: V, export: V } }),
    'vrf-import': R,
    'vrf-export': R,
    'vrf-table-label': R,
    'routing-options': C(ROUTING_OPTIONS),
    protocols: C(PROTOCOLS),
    'bridge-domains': C({ named: BRIDGE_DOMAIN }),
    vlans: C({ named: BRIDGE_DOMAIN }),
    'vtep-source-interface': V,
    'service-type': V,
    'switch-options': C({ kw: { ...L2_OPTIONS.kw, 'vtep-source-interface': V } }),
  },
};

// Inline IPsec (see junos-security.ts). Keys are single-valued leaves (`key hexadecimal "..."`).
const MANUAL_ENCRYPTION: SchemaNode = { kw: { algorithm: V, key: V } };

const MANUAL_DIRECTION: SchemaNode = {
  kw: { spi: V, encryption: C(MANUAL_ENCRYPTION), authentication: C(MANUAL_ENCRYPTION), protocol: V },
};

const IPSEC_MANUAL: SchemaNode = {
  kw: {
    ...MANUAL_DIRECTION.kw,
    gateway: V,
    'external-interface': V,
    inbound: C(MANUAL_DIRECTION),
    outbound: C(MANUAL_DIRECTION),
  },
};

const IPSEC_VPN: SchemaNode = {
  kw: {
    'bind-interface': V,
    'copy-outer-dscp': R,
    'df-bit': V,
    ike: C({ kw: { gateway: V, 'ipsec-policy': V, 'proxy-identity': C({ kw: { local: V, remote: V, service: R } }) } }),
    'anti-replay-window-size': V,
    'no-anti-replay': R,
    'establish-tunnels': V,
    'traffic-selector': A1({ kw: { 'local-ip': V, 'remote-ip': V } }),
    'extended-sequence-number': R,
    manual: C(IPSEC_MANUAL),
    'vpn-monitor': C({}),
  },
};

const SECURITY: SchemaNode = {
  kw: {
    ike: C({
      kw: {
        proposal: A1({}),
        policy: A1({ kw: { proposals: R, 'pre-shared-key': V } }),
        gateway: A1({
          kw: {
            'ike-policy': V,
            address: R,
            'local-address': V,
            'external-interface': V,
            version: V,
            'dead-peer-detection': C({}),
            'local-identity': V,
            'remote-identity': V,
          },
        }),
        traceoptions: C({}),
      },
    }),
    ipsec: C({
      kw: {
        proposal: A1({
          kw: {
            protocol: V,
            'encryption-algorithm': V,
            'authentication-algorithm': V,
            'lifetime-seconds': V,
            'lifetime-kilobytes': V,
            'extended-sequence-number': R,
          },
        }),
        policy: A1({ kw: { proposals: R, 'proposal-set': V, 'perfect-forward-secrecy': C({ kw: { keys: V } }) } }),
        vpn: A1(IPSEC_VPN),
        traceoptions: C({}),
      },
    }),
    zones: C({ kw: { 'security-zone': A1() } }),
    policies: C({}),
  },
};

const SERVICES: SchemaNode = {
  kw: {
    'service-set': A1({
      kw: {
        'next-hop-service': C({ kw: { 'inside-service-interface': V, 'outside-service-interface': V } }),
        'ipsec-vpn': A1(),
      },
    }),
    'ipsec-vpn': C({ kw: { rule: A1({ kw: { term: A1() } }) } }),
  },
};

// Routing policy (see junos-policy.ts). Match conditions and actions are leaves taking
// their words (`route-filter 10.0.0.0/8 upto /24`, `community add C`); single-valued
// actions (`local-preference`, `metric`, `next-hop`, `next`) replace an earlier value.
const POLICY_FROM: SchemaNode = {
  kw: { community: R, protocol: R, 'route-filter': R, 'prefix-list': R, neighbor: R, 'as-path': R, 'prefix-list-filter': R, family: R, interface: R },
};
const POLICY_THEN: SchemaNode = {
  kw: { accept: R, reject: R, 'local-preference': V, metric: V, community: R, 'next-hop': V, next: V, origin: V, 'as-path-prepend': R, 'load-balance': R },
};
const POLICY_TERM: SchemaNode = { kw: { from: C(POLICY_FROM), then: C(POLICY_THEN), to: C({}) } };
const POLICY_OPTIONS: SchemaNode = {
  kw: {
    'policy-statement': A1({ kw: { term: A1(POLICY_TERM), ...POLICY_TERM.kw } }),
    community: A1({ kw: { members: R, 'invert-match': R } }),
    'prefix-list': A1({ kw: { 'apply-path': V } }),
    'as-path': R,
  },
};

export const ROOT_SCHEMA: SchemaNode = {
  kw: {
    version: V,
    groups: C({ named: () => ROOT_SCHEMA }),
    system: C({ kw: { 'host-name': V, 'domain-name': V, login: C({ kw: { user: A1() } }), arp: C({ kw: { 'aging-timer': V } }) } }),
    chassis: C({}),
    interfaces: C({ kw: { 'interface-range': A1(), traceoptions: C({}) }, named: IFD }),
    'routing-options': C(ROUTING_OPTIONS),
    'routing-instances': C({ named: ROUTING_INSTANCE }),
    protocols: C(PROTOCOLS),
    'policy-options': C(POLICY_OPTIONS),
    firewall: C({ kw: { family: A1({ kw: { filter: A1({ kw: { term: A1({ kw: { from: C({}), then: C({}) } }) } }) } }), filter: A1() } }),
    security: C(SECURITY),
    services: C(SERVICES),
    'bridge-domains': C({ named: {} }),
    'class-of-service': C({}),
    snmp: C({ kw: { community: A1() } }),
    'logical-systems': C({ named: () => ROOT_SCHEMA }),
  },
};
