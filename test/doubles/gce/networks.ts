// networks: custom mode (subnetworks made by hand) or auto mode (one per region, fixed ranges).
import { autoSubnetRange } from "./catalog.js";
import type { CollectionSpec, Placement } from "./collection.js";
import { invalidField } from "./errors.js";
import { identity } from "./identity.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";
import { subnetworkResource } from "./subnetworks.js";

export function networksSpec(state: GceState): CollectionSpec {
  return {
    collection: "networks",
    kind: "compute#network",
    scope: "global",
    async build(body, placement) {
      if (typeof body.autoCreateSubnetworks !== "boolean") {
        throw invalidField(
          "resource.autoCreateSubnetworks",
          String(body.autoCreateSubnetworks ?? ""),
          "Legacy networks are not supported: set autoCreateSubnetworks.",
        );
      }
      return networkResource(state, placement, body);
    },
    async deprovision(network) {
      await state.timers.sleep(state.operationDelayMs);
      // An auto-mode network's own subnetworks go with it.
      for (const link of network.subnetworks as string[]) state.store.delete(state.links.pathOf(link));
    },
    usedBy(path) {
      const link = state.links.url(path);
      const users = [
        ...state.store.everywhere("firewalls").filter(([, firewall]) => firewall.network === link),
        ...state.store.everywhere("subnetworks").filter(([, subnetwork]) => subnetwork.network === link && !isAutoSubnetwork(state, subnetwork)),
        ...state.store.everywhere("instances").filter(([, instance]) => (instance.networkInterfaces as Json[]).some((nic) => nic.network === link)),
      ];
      return users[0]?.[0];
    },
  };
}

export const isAutoSubnetwork = (state: GceState, subnetwork: Json) =>
  state.store.get(state.links.pathOf(String(subnetwork.network)))?.autoCreateSubnetworks === true;

/** A network as stored; an auto-mode one with its subnetwork in every region, named after it. */
export function networkResource(state: GceState, placement: Placement, body: Json): Json {
  const network = {
    ...identity("compute#network", placement, state.links, body),
    autoCreateSubnetworks: body.autoCreateSubnetworks,
    subnetworks: [] as string[],
    routingConfig: { routingMode: (body.routingConfig as Json | undefined)?.routingMode ?? "REGIONAL" },
    mtu: body.mtu ?? 1460,
    networkFirewallPolicyEnforcementOrder: "AFTER_CLASSIC_FIREWALL",
  };
  if (!body.autoCreateSubnetworks) return network;
  state.regions.forEach((region, index) => {
    const path = `projects/${placement.project}/regions/${region}/subnetworks/${placement.name}`;
    const subnetwork = subnetworkResource(state, { ...placement, zone: undefined, region, path }, state.links.url(placement.path), autoSubnetRange(index), {});
    state.store.put(path, subnetwork);
    network.subnetworks.push(String(subnetwork.selfLink));
  });
  return network;
}
