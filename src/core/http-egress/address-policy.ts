import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why an address may not be reached: the `ipaddr.js` range name (`loopback`, `private`,
 * `linkLocal` — which holds the 169.254.169.254 metadata service —, `uniqueLocal`,
 * `carrierGradeNat`, `multicast`, `unspecified`, `broadcast`, `reserved`, `6to4`, `teredo`,
 * `rfc6052`…), or `invalid` for text that is not an IP address.
 */
export type RefusedRange = string;

/**
 * The range that makes `address` unreachable for outbound calls, or `null` when it is a public
 * unicast address. Only `unicast` passes (ipaddr.js's name for everything outside its special
 * ranges); IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries, and
 * the IPv6 forms that embed or tunnel IPv4 (6to4, Teredo, NAT64 `64:ff9b::/96`, IPv4-compatible
 * `::/96` as `ipv4Compatible`) are refused
 * outright, since the IPv4 side cannot be checked reliably. Source of the ranges: ipaddr.js
 * (IANA special-purpose registries, RFC 6890 and successors).
 */
export function refusedRange(address: string): RefusedRange | null {
  if (isIP(address) === 0) return 'invalid';
  const parsed = ipaddr.process(address); // ipv4Mapped → IPv4
  const range = parsed.range();
  // ipaddr.js calls the deprecated IPv4-compatible block ::/96 (`::7f00:1`, which is how WHATWG
  // writes `[::127.0.0.1]`) unicast; it embeds an IPv4 address like the forms above.
  if (
    range === 'unicast' &&
    parsed.kind() === 'ipv6' &&
    (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)
  )
    return 'ipv4Compatible';
  return range === 'unicast' ? null : range;
}

/**
 * An allow-list of `WEBHOOK_ALLOWED_PRIVATE_HOSTS` entries: lower-case host names (exact match),
 * IP addresses and CIDRs (`10.0.0.0/8`, `fd00::/8`). An IPv4-mapped address is compared as IPv4.
 */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (entry.includes('/')) this.cidrs.push(ipaddr.parseCIDR(entry));
      else if (isIP(entry)) {
        const ip = ipaddr.process(entry);
        this.cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(entry.replace(/\.$/, ''));
    }
  }

  /** Whether the host name (as in the URL, without brackets) is listed by name. */
  hasHost(host: string): boolean {
    return this.hosts.has(host.toLowerCase().replace(/\.$/, ''));
  }

  /** Whether the address lies in a listed IP or CIDR (same family only). */
  hasAddress(address: string): boolean {
    if (isIP(address) === 0) return false;
    const ip = ipaddr.process(address);
    return this.cidrs.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }
}
