import { HydroError } from "../errors.js";
import { ec2Client, ec2Sdk, explain } from "./ec2.js";

/** Debian's own AWS account, which publishes the official images. */
const DEBIAN_OWNER = "136693071363";

/** The newest official Debian 12 image for the instance type's architecture in `region`. */
export async function debianImage(region: string, instanceType: string): Promise<string> {
  const [sdk, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
  try {
    const { InstanceTypes = [] } = await client.send(new sdk.DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as never] }));
    const architecture = InstanceTypes[0]?.ProcessorInfo?.SupportedArchitectures?.includes("arm64") ? "arm64" : "amd64";
    const { Images = [] } = await client.send(
      new sdk.DescribeImagesCommand({
        Owners: [DEBIAN_OWNER],
        Filters: [
          { Name: "name", Values: [`debian-12-${architecture}-*`] },
          { Name: "state", Values: ["available"] },
        ],
      }),
    );
    const newest = Images.filter((image) => image.ImageId).sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
    if (!newest) throw new HydroError(`aws: no Debian 12 ${architecture} image found in ${region}: give aws({ ami })`);
    return newest.ImageId!;
  } catch (error) {
    throw error instanceof HydroError
      ? error
      : explain(`aws: looking up the Debian 12 image for ${instanceType} in ${region}`, error, { region, instanceType });
  }
}
