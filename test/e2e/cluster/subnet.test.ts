import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { overlaps, parseCidr, pickFreeSubnet, subnet } from "./subnet.js";

describe("subnet", () => {
  it("puts the bridge on .1 and host N on .N+1", () => {
    const net = subnet(213, 7);
    assert.equal(net.cidr, "10.213.7.0/24");
    assert.equal(net.bridgeAddress, "10.213.7.1");
    assert.equal(net.hostAddress(1), "10.213.7.2");
    assert.equal(net.hostAddress(253), "10.213.7.254");
    assert.throws(() => net.hostAddress(254), RangeError);
  });

  it("detects overlapping ranges, including a host route inside a /24", () => {
    assert.ok(overlaps(parseCidr("10.213.7.0/24"), parseCidr("10.213.7.9")));
    assert.ok(overlaps(parseCidr("10.213.7.0/24"), parseCidr("10.0.0.0/8")));
    assert.ok(!overlaps(parseCidr("10.213.7.0/24"), parseCidr("10.213.8.0/24")));
    assert.throws(() => parseCidr("10.213.7/24"));
  });

  it("picks a /24 that no route in use overlaps, ignoring a default route", () => {
    const values = [0, 0, 0, 0.5];
    const random = () => values.shift() ?? 0.5;
    // The first candidate, 10.200.0.0/24, is taken; the second is 10.200.128.0/24.
    const picked = pickFreeSubnet(["0.0.0.0/0", "10.200.0.5", "192.0.2.0/24"], random);
    assert.equal(picked.cidr, "10.200.128.0/24");
  });

  it("says which routes are in use when nothing is free", () => {
    assert.throws(() => pickFreeSubnet(["10.0.0.0/8"]), /no free \/24.*10\.0\.0\.0\/8/);
  });
});
