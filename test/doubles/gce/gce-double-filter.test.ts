import assert from "node:assert/strict";
import { test } from "node:test";
import { GceError } from "./errors.js";
import { compileFilter } from "./filter.js";

const vm = { name: "blue-1", status: "RUNNING", labels: { "hydro-deployment": "blue", tier: "" }, tags: { items: ["ssh", "web"] }, cpus: 8 };
const matches = (filter: string) => compileFilter(filter)(vm);

test("comparisons: = and != on dotted fields, :* for presence, ordering numerically on numbers", () => {
  assert.equal(matches('labels.hydro-deployment = "blue"'), true);
  assert.equal(matches('labels.hydro-deployment = "green"'), false);
  assert.equal(matches("labels.hydro-deployment != green"), true);
  assert.equal(matches("labels.tier:*"), true);
  assert.equal(matches("labels.owner:*"), false);
  assert.equal(matches("cpus > 10"), false);
  assert.equal(matches("cpus >= 8"), true);
});

test("a list field matches when any element does", () => {
  assert.equal(matches("tags.items = web"), true);
  assert.equal(matches("tags.items = db"), false);
});

test("AND (explicit or implicit) and OR, grouped by parentheses", () => {
  assert.equal(matches('(status = "RUNNING") (name = "blue-1")'), true);
  assert.equal(matches('status = "RUNNING" AND name = "red-1"'), false);
  assert.equal(matches('(name = "red-1") OR (labels.hydro-deployment = "blue")'), true);
});

test("gcloud's eq/ne form is a whole-value regex match", () => {
  assert.equal(matches('name eq ".*\\bblue\\-1\\b.*"'), true);
  assert.equal(matches("name eq blue"), false);
  assert.equal(matches("(name eq blue-.*) (status ne STOPPING)"), true);
});

test("malformed filters, and eq mixed with =, are the API's 400 invalid", () => {
  for (const filter of ['(name = "x"', "name =", 'name eq "x" status = "RUNNING"', '(name eq x) (status = "RUNNING")', '"unterminated = x']) {
    assert.throws(
      () => compileFilter(filter),
      (error: unknown) => error instanceof GceError && error.status === 400 && /Invalid list filter expression/.test(error.message),
      filter,
    );
  }
});
