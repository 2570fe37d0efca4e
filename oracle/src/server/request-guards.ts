/**
 * Checks on a request before any route sees it, against a web page driving a node through its user's browser:
 *
 * - Host: a page on attacker.example whose name is re-bound to 127.0.0.1 (DNS rebinding) reaches a loopback node
 *   with `Host: attacker.example`. The node serves only the names it was configured with (and loopback names).
 * - Content-Type: a browser sends `text/plain`, form and multipart bodies cross-origin without a CORS pre-flight.
 *   Only `application/json` is accepted, which a page cannot send cross-origin without the pre-flight the node
 *   never answers.
 */
import { isIP } from "node:net";

import { HttpError } from "./errors.js";

/** The hostname part of a Host header, lower-cased, without port or IPv6 brackets; undefined when malformed. */
export function hostnameOf(hostHeader: string): string | undefined {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end > 1 ? host.slice(1, end) : undefined;
  }
  const name = host.split(":")[0];
  return name === undefined || name === "" ? undefined : name;
}

function isLoopbackName(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || (isIP(hostname) === 4 && hostname.startsWith("127."));
}

/** "Any address" is where a node may listen, never a name it serves: browsers send 0.0.0.0 to the local machine. */
const UNSPECIFIED_ADDRESSES = new Set(["0.0.0.0", "::"]);

/**
 * Builds the Host check: loopback names are always served, and every name in `allowedHosts` (any case, any
 * port) except the unspecified addresses.
 */
export function hostGuard(allowedHosts: readonly string[]): (hostHeader: string | undefined) => void {
  const allowed = new Set(
    allowedHosts
      .map((host) => hostnameOf(host) ?? host.toLowerCase())
      .filter((host) => !UNSPECIFIED_ADDRESSES.has(host)),
  );
  return (hostHeader) => {
    const hostname = hostHeader === undefined ? undefined : hostnameOf(hostHeader);
    if (hostname !== undefined && (isLoopbackName(hostname) || allowed.has(hostname))) return;
    throw new HttpError(
      421,
      "host_not_allowed",
      hostname === undefined
        ? "the request has no valid Host header"
        : `Host "${hostname}" is not one of this node's hosts; list it in listen.allowedHosts to serve it`,
    );
  };
}

/** Throws HttpError 415 unless the Content-Type's media type is exactly application/json (parameters allowed). */
export function requireJsonContentType(contentType: string | undefined): void {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json") return;
  throw new HttpError(
    415,
    "unsupported_media_type",
    `Content-Type must be application/json, got ${contentType === undefined ? "none" : `"${contentType.slice(0, 80)}"`}`,
  );
}
