import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BOOTED_HOST_INDEX_BASE, clusterLayout, isClusterId, isClusterLink, isClusterNamespace, isClusterStateDir, newClusterId } from "./layout.js";
import { MAX_HOSTS } from "./subnet.js";

// Linux refuses interface names longer than 15 characters.
const IFNAMSIZ = 15;

describe("cluster layout", () => {
  it("makes ids that its selectors recognise", () => {
    const id = newClusterId();
    assert.ok(isClusterId(id), id);
    assert.ok(!isClusterId("hosts"));
  });

  it("keeps link names within the kernel's limit for the largest cluster", () => {
    const layout = clusterLayout(newClusterId());
    assert.ok(layout.bridge.length <= IFNAMSIZ, layout.bridge);
    assert.ok(layout.host(MAX_HOSTS).veth.length <= IFNAMSIZ, layout.host(MAX_HOSTS).veth);
    // A booted host's index is the base plus the last octet of its address.
    const booted = layout.host(BOOTED_HOST_INDEX_BASE + 255, "i-0123456789abcdef0");
    assert.ok(booted.veth.length <= IFNAMSIZ, booted.veth);
  });

  it("names a booted host after its own name, within the cluster's names", () => {
    const booted = clusterLayout("abc123").host(BOOTED_HOST_INDEX_BASE + 7, "i-0123456789abcdef0");
    assert.equal(booted.name, "i-0123456789abcdef0");
    assert.ok(isClusterNamespace(booted.namespace, { id: "abc123" }) && booted.namespace.endsWith("-i-0123456789abcdef0"));
    assert.ok(isClusterLink(booted.veth, { id: "abc123" }));
    assert.notEqual(booted.veth, clusterLayout("abc123").host(7).veth);
  });

  it("matches a cluster's own names only, or every cluster's", () => {
    const mine = clusterLayout("abc123");
    const other = clusterLayout("abc124");
    const host = mine.host(1);
    assert.ok(isClusterNamespace(host.namespace, { id: "abc123" }));
    assert.ok(!isClusterNamespace(other.host(1).namespace, { id: "abc123" }));
    assert.ok(isClusterNamespace(other.host(1).namespace, "all"));
    assert.ok(isClusterLink(host.veth, { id: "abc123" }) && isClusterLink(mine.bridge, { id: "abc123" }));
    assert.ok(!isClusterLink(other.bridge, { id: "abc123" }));
    assert.ok(!isClusterLink("eth0", "all"));
    assert.ok(isClusterStateDir("abc124", "all") && !isClusterStateDir("abc124", { id: "abc123" }));
  });
});
