// The default image of d.aws() (no `ami`): the newest Debian 12 image, published by Debian's own
// account, for the instance type's architecture (deploy/aws/images.ts). moto loads the images of
// MOTO_AMIS_PATH instead of its own, so the owner, name and state filters are moto's own
// DescribeImages, answering the real SDK; the decoys are what those filters must keep out.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DeregisterImageCommand, DescribeImagesCommand } from "@aws-sdk/client-ec2";
import { type Moto, motoMissing, startMoto } from "../../doubles/ec2/moto.js";
import { motoEc2Client } from "../../doubles/ec2/moto-ec2-client.js";
import { deployTwoVms } from "./failed-deploy.js";
import { tempDir } from "../../helpers.js";

const DEBIAN = "136693071363";
// One region only: moto 5.2.1 parses the file's creation dates in place, once per region it serves,
// and the second region fails on the already parsed date (HTTP 500).
const REGION = "us-east-1";

/** One entry of a MOTO_AMIS_PATH file (moto/ec2/models/amis.py: the Ami constructor's arguments). */
const image = (ami_id: string, name: string, owner_id: string, architecture: "x86_64" | "arm64", creation_date: string, state = "available") => ({
  ami_id,
  name,
  description: name,
  owner_id,
  public: true,
  virtualization_type: "hvm",
  architecture,
  state,
  creation_date,
  image_type: "machine",
  hypervisor: "xen",
  root_device_name: "/dev/xvda",
  root_device_type: "ebs",
});

const IMAGES = [
  image("ami-0d12a64000000old", "debian-12-amd64-20240101-1600", DEBIAN, "x86_64", "2024-01-01T16:00:00.000Z"),
  image("ami-0d12a64000000new", "debian-12-amd64-20240601-1200", DEBIAN, "x86_64", "2024-06-01T12:00:00.000Z"),
  image("ami-0d12arm000000old", "debian-12-arm64-20240301-1000", DEBIAN, "arm64", "2024-03-01T10:00:00.000Z"),
  // Newer than every amd64 image: an x86 type must still not get it.
  image("ami-0d12arm000000new", "debian-12-arm64-20240701-0900", DEBIAN, "arm64", "2024-07-01T09:00:00.000Z"),
  // Decoys, each newer than the right image: another owner's "Debian", Debian's next release, an image still being registered.
  image("ami-0fa4eamd64000000", "debian-12-amd64-20250101-0000", "123456789012", "x86_64", "2025-01-01T00:00:00.000Z"),
  image("ami-0fa4earm64000000", "debian-12-arm64-20250101-0000", "123456789012", "arm64", "2025-01-01T00:00:00.000Z"),
  image("ami-0d13a64000000000", "debian-13-amd64-20250201-0000", DEBIAN, "x86_64", "2025-02-01T00:00:00.000Z"),
  image("ami-0d12a640000pendin", "debian-12-amd64-20250301-0000", DEBIAN, "x86_64", "2025-03-01T00:00:00.000Z", "pending"),
];

describe("the default Debian 12 image, looked up on moto", { skip: motoMissing() }, () => {
  let moto: Moto;
  let images: typeof import("../../../deploy/aws/images.js");
  let env: Record<string, string>;

  before(async () => {
    const amis = path.join(tempDir(), "amis.json");
    fs.writeFileSync(amis, JSON.stringify(IMAGES));
    moto = await startMoto({ MOTO_AMIS_PATH: amis });
    env = { AWS_ENDPOINT_URL_EC2: moto.url, AWS_ACCESS_KEY_ID: "AKIDHYDROTEST", AWS_SECRET_ACCESS_KEY: "hydro-test", AWS_EC2_METADATA_DISABLED: "true" };
    Object.assign(process.env, env);
    images = await import("../../../deploy/aws/images.js");
  });
  after(() => moto?.stop());

  test("moto serves exactly the images of MOTO_AMIS_PATH, with their owners and dates", async () => {
    const ec2 = motoEc2Client(moto.url, REGION);
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({}));
    assert.deepEqual(Images.map((found) => [found.ImageId, found.OwnerId]).sort(), IMAGES.map((made) => [made.ami_id, made.owner_id]).sort());
    assert.equal(Date.parse(Images.find((found) => found.ImageId === "ami-0d12a64000000new")!.CreationDate!), Date.parse("2024-06-01T12:00:00.000Z"));
    ec2.destroy();
  });

  test("an x86 type gets Debian's newest available amd64 Debian 12 image; an arm64 type (t4g) the newest arm64 one", async () => {
    assert.equal(await images.debianImage(REGION, "t3.micro"), "ami-0d12a64000000new");
    assert.equal(await images.debianImage(REGION, "t4g.micro"), "ami-0d12arm000000new");
  });

  test("with no Debian 12 image of the type's architecture, one line says to give aws({ ami }), and hydro run leaves nothing", async () => {
    const ec2 = motoEc2Client(moto.url, REGION);
    for (const ImageId of ["ami-0d12arm000000old", "ami-0d12arm000000new"]) await ec2.send(new DeregisterImageCommand({ ImageId }));
    ec2.destroy();
    await assert.rejects(images.debianImage(REGION, "t4g.micro"), (error: Error) => {
      assert.equal(error.message, "aws: no Debian 12 arm64 image found in us-east-1: give aws({ ami })");
      return true;
    });
    // The other architecture's image is still found.
    assert.equal(await images.debianImage(REGION, "t3.micro"), "ami-0d12a64000000new");

    const run = await deployTwoVms(["aws", REGION, "t4g.micro"], { ...env, HOME: tempDir("hydro-empty-home-") });
    assert.equal(run.exitCode, 1, run.output);
    assert.equal(run.thrown, "HydroError", run.output);
    assert.deepEqual(run.errors, ["error: aws: no Debian 12 arm64 image found in us-east-1: give aws({ ami })"], run.output);
    assert.deepEqual(run.leftovers, []);
  });
});
