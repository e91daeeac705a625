// What a project can see without creating it: zones, machine types, public images.
// A small, plausible subset of the real catalog (README §GCE catalog).

export interface MachineType {
  readonly name: string;
  readonly guestCpus: number;
  readonly memoryMb: number;
  readonly isSharedCpu: boolean;
}

export const MACHINE_TYPES: readonly MachineType[] = [
  { name: "e2-micro", guestCpus: 2, memoryMb: 1024, isSharedCpu: true },
  { name: "e2-small", guestCpus: 2, memoryMb: 2048, isSharedCpu: true },
  { name: "e2-medium", guestCpus: 2, memoryMb: 4096, isSharedCpu: true },
  { name: "e2-standard-2", guestCpus: 2, memoryMb: 8192, isSharedCpu: false },
  { name: "e2-standard-4", guestCpus: 4, memoryMb: 16384, isSharedCpu: false },
  { name: "e2-standard-8", guestCpus: 8, memoryMb: 32768, isSharedCpu: false },
  { name: "n1-standard-1", guestCpus: 1, memoryMb: 3840, isSharedCpu: false },
  { name: "n2-standard-2", guestCpus: 2, memoryMb: 8192, isSharedCpu: false },
];

export interface Image {
  readonly project: string;
  readonly name: string;
  readonly family: string;
  readonly id: string;
  readonly diskSizeGb: string;
}

export const IMAGES: readonly Image[] = [
  { project: "debian-cloud", name: "debian-12-bookworm-v20240515", family: "debian-12", id: "1716270411251338722", diskSizeGb: "10" },
  { project: "debian-cloud", name: "debian-11-bullseye-v20240515", family: "debian-11", id: "4562810542106117621", diskSizeGb: "10" },
  { project: "ubuntu-os-cloud", name: "ubuntu-2204-jammy-v20240501", family: "ubuntu-2204-lts", id: "8765201290311294417", diskSizeGb: "10" },
];

/**
 * The image a sourceImage path names: an image, a family (its newest image), or a zonal family
 * view (`projects/p/zones/-/imageFamilyViews/f`, what gcloud sends for --image-family).
 */
export function findImage(path: string): Image | undefined {
  const byName = /^projects\/([^/]+)\/global\/images\/([^/]+)$/.exec(path);
  if (byName) return IMAGES.find((image) => image.project === byName[1] && image.name === byName[2]);
  const byFamily = /^projects\/([^/]+)\/(?:global\/images\/family|zones\/[^/]+\/imageFamilyViews)\/([^/]+)$/.exec(path);
  return byFamily ? IMAGES.find((image) => image.project === byFamily[1] && image.family === byFamily[2]) : undefined;
}

export const DEFAULT_ZONES = ["us-central1-a", "us-central1-b", "us-central1-c", "europe-west1-b"];

/** The ranges an auto-mode network's subnetworks get, by region (the same in every auto network). */
export function autoSubnetRange(regionIndex: number): string {
  return `10.${128 + 4 * regionIndex}.0.0/20`;
}
