// subnetworks of custom-mode networks: a range per region that must not overlap the network's others.
import { addressInRange, overlaps, parseCidr } from "./cidr.js";
import type { CollectionSpec, Placement } from "./collection.js";
import { invalidField } from "./errors.js";
import { identity } from "./identity.js";
import { lastSegment } from "./links.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";

export function subnetworksSpec(state: GceState): CollectionSpec {
  return {
    collection: "subnetworks",
    kind: "compute#subnetwork",
    scope: "regions",
    async build(body, placement) {
      const network = state.network(body.network, placement.project);
      if (network.autoCreateSubnetworks)
        throw invalidField("resource.network", String(body.network), "Cannot add a subnetwork to an auto subnet mode network.");
      const range = parseCidr(body.ipCidrRange, "resource.ipCidrRange");
      for (const [path, other] of state.store.everywhere("subnetworks")) {
        if (other.network === network.selfLink && overlaps(range, parseCidr(other.ipCidrRange, "ipCidrRange"))) {
          const region = path.split("/")[3];
          throw invalidField(
            "resource.ipCidrRange",
            String(body.ipCidrRange),
            `Invalid IPCidrRange: ${String(body.ipCidrRange)} conflicts with existing subnetwork '${lastSegment(path)}' in region '${region}'.`,
          );
        }
      }
      const subnetwork = subnetworkResource(state, placement, String(network.selfLink), String(body.ipCidrRange), body);
      (network.subnetworks as string[]).push(String(subnetwork.selfLink));
      return subnetwork;
    },
    async deprovision(subnetwork) {
      await state.timers.sleep(state.operationDelayMs);
      const network = state.store.get(state.links.pathOf(String(subnetwork.network)));
      if (network) network.subnetworks = (network.subnetworks as string[]).filter((link) => link !== subnetwork.selfLink);
    },
    usedBy(path) {
      const link = state.links.url(path);
      return state.store.everywhere("instances").find(([, instance]) => (instance.networkInterfaces as Json[]).some((nic) => nic.subnetwork === link))?.[0];
    },
  };
}

export function subnetworkResource(state: GceState, placement: Placement, networkLink: string, ipCidrRange: string, body: Json): Json {
  return {
    ...identity("compute#subnetwork", placement, state.links, body),
    network: networkLink,
    ipCidrRange,
    gatewayAddress: addressInRange(parseCidr(ipCidrRange, "ipCidrRange"), 1),
    region: state.links.url(`projects/${placement.project}/regions/${placement.region}`),
    privateIpGoogleAccess: false,
    purpose: "PRIVATE",
    stackType: "IPV4_ONLY",
    fingerprint: "",
  };
}
