// Resource paths ("projects/p/zones/z/instances/vm1") and the URLs the API writes in selfLink,
// zone, network… Bodies may name a resource by URL, by project-relative path or by name.

/** The base real responses use in every link, whatever endpoint was called. */
export const GOOGLE_LINK_BASE = "https://www.googleapis.com/compute/v1";

export class Links {
  constructor(private readonly base: string) {}

  url(resourcePath: string): string {
    return `${this.base}/${resourcePath}`;
  }

  /** The resource path of a link this double wrote. */
  pathOf(link: string): string {
    return link.slice(this.base.length + 1);
  }
}

/**
 * The resource path a reference names: a full URL, "projects/…", or a path relative to the
 * project ("global/networks/n", "zones/z/machineTypes/t"); a bare name gets `defaultPrefix`.
 */
export function resolveReference(reference: string, project: string, defaultPrefix: string): string {
  const afterVersion = reference.replace(/^https?:\/\/[^/]+\/compute\/v1\//, "");
  if (afterVersion.startsWith("projects/")) return afterVersion;
  if (/^(global|zones|regions)\//.test(afterVersion)) return `projects/${project}/${afterVersion}`;
  return `projects/${project}/${defaultPrefix}/${afterVersion}`;
}

export const lastSegment = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** "us-central1-a" → "us-central1" */
export const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, "");
