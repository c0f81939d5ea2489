// Test paths: from an external peer 10.0.0.1 (AS 65001, router ID 1.1.1.1),
// AS path "65001 I", next hop the peer; `over` changes what a test is about.

import type { BgpPath } from './path.js';

export function testPath(prefix: string, over: Partial<BgpPath> = {}): BgpPath {
  return {
    prefix,
    table: 'inet.0',
    nextHop: '10.0.0.1',
    peer: '10.0.0.1',
    peerAs: 65001,
    internal: false,
    peerRouterId: '1.1.1.1',
    asPath: [{ type: 'sequence', asns: [65001] }],
    origin: 'igp',
    communities: [],
    clusterList: [],
    ...over,
  };
}
