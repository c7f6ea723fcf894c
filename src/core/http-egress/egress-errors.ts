/**
 * Why an outbound URL was refused (`reason`): `scheme` (not http(s), or http in production),
 * `credentials` (user:password in the URL), `resolution` (DNS found
 * nothing), `address` (a private, loopback, link-local, CGNAT, metadata… address; `range` says
 * which).
 */
export type EgressRefusal = 'scheme' | 'credentials' | 'resolution' | 'address';

/**
 * Thrown by {@link HttpEgress.check} and {@link HttpEgress.send} before any byte is sent. Callers
 * map it to their own error (`webhook_url_not_allowed` at `/url`), or record it on a delivery.
 */
export class EgressRefusedError extends Error {
  constructor(
    readonly reason: EgressRefusal,
    message: string,
    readonly range?: string,
  ) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}
