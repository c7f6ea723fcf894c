import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppConfig } from '../config';
import { AllowList, refusedRange } from './address-policy';
import { EgressRefusedError } from './egress-errors';

/** The address an outbound request will connect to, checked against the policy. */
export interface CheckedTarget {
  url: URL;
  /** The host as DNS knows it (brackets of an IPv6 literal removed). */
  host: string;
  /** The checked IP the socket connects to (no second DNS lookup). */
  address: string;
  family: 4 | 6;
}

/** One outbound request. `body` is sent as is (the caller signs exactly these bytes). */
export interface EgressRequest {
  url: string;
  method?: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
}

/** What came back: status, headers, at most `maxResponseBytes` of the body, timing. */
export interface EgressResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body (UTF-8), cut at the read limit; `truncated` says whether it was. */
  body: string;
  truncated: boolean;
  /** From the start of DNS resolution to the end of the read, in milliseconds. */
  latencyMs: number;
  address: string;
}

/** How much of a response body is read at most (the rest is discarded and the socket closed). */
export const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * The one SSRF-safe way to call a URL a tenant gave us (webhooks, automation `call_webhook`).
 * Rules (issue 19): http(s) only, and https only when `ENVIRONMENT=production`; no credentials in
 * the URL; the host is resolved here and **every** address it resolves to must be public unicast
 * (see {@link refusedRange}) unless the host name or the address is in
 * `WEBHOOK_ALLOWED_PRIVATE_HOSTS`; the socket connects to the checked address (a `lookup` that
 * answers it, so DNS rebinding between check and connect cannot redirect the call); redirects are
 * never followed (a 3xx is just a response); one total timeout (`WEBHOOK_TIMEOUT_MS`, 10 s) over
 * resolution, connection and reading; the body read up to {@link MAX_RESPONSE_BYTES}.
 */
@Injectable()
export class HttpEgress {
  private readonly allowList: AllowList;
  private readonly httpsOnly: boolean;
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    this.allowList = new AllowList(config.webhooks.allowedPrivateHosts);
    this.httpsOnly = config.app.isProduction;
    this.timeoutMs = config.webhooks.timeoutMs;
  }

  /**
   * Parses and checks `raw` and resolves its host: the target to connect to, or
   * {@link EgressRefusedError} (scheme, credentials, port, resolution, address).
   */
  async check(raw: string): Promise<CheckedTarget> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new EgressRefusedError('scheme', 'The URL is not an absolute http(s) URL');
    }
    if (url.protocol !== 'https:' && (url.protocol !== 'http:' || this.httpsOnly)) {
      throw new EgressRefusedError(
        'scheme',
        this.httpsOnly ? 'Only https URLs are allowed' : 'Only http and https URLs are allowed',
      );
    }
    if (url.username || url.password) {
      throw new EgressRefusedError('credentials', 'The URL may not carry a user name or password');
    }
    // WHATWG parsing already turned 2130706433, 0x7f.1, 017700000001 into 127.0.0.1.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const hostAllowed = this.allowList.hasHost(host);
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await dnsLookup(host, { all: true, verbatim: true });
      } catch {
        addresses = [];
      }
      if (addresses.length === 0) {
        throw new EgressRefusedError('resolution', `The host ${host} does not resolve`);
      }
    }
    for (const { address } of addresses) {
      const range = refusedRange(address);
      if (range && !hostAllowed && !this.allowList.hasAddress(address)) {
        throw new EgressRefusedError(
          'address',
          `The URL's host resolves to a ${range} address, which webhooks may not reach`,
          range,
        );
      }
    }
    const [first] = addresses;
    return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /**
   * Checks the URL ({@link check}) and sends the request to the checked address. Resolves with the
   * response whatever its status; rejects with {@link EgressRefusedError} before sending, or with
   * an `Error` for a timeout (`timeout after <n> ms`) or a network failure.
   */
  async send(request: EgressRequest): Promise<EgressResponse> {
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      const timedOut = new Promise<never>((_, reject) =>
        deadline.signal.addEventListener('abort', () =>
          reject(new Error(`timeout after ${this.timeoutMs} ms`)),
        ),
      );
      // Settles after the race when the deadline passes during the exchange: nobody awaits it then.
      timedOut.catch(() => undefined);
      const target = await Promise.race([this.check(request.url), timedOut]);
      const response = await this.exchange(target, request, deadline.signal);
      return { ...response, latencyMs: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
    }
  }

  private exchange(
    target: CheckedTarget,
    request: EgressRequest,
    signal: AbortSignal,
  ): Promise<Omit<EgressResponse, 'latencyMs'>> {
    // Answers the checked address whatever name is asked: no second resolution.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = target.url.protocol === 'https:' ? https : http;
    const body = Buffer.from(request.body, 'utf8');
    return new Promise((resolve, reject) => {
      const req = client.request(
        target.url,
        {
          method: request.method ?? 'POST',
          headers: { ...request.headers, 'content-length': String(body.length) },
          lookup: pinned,
          signal,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let truncated = false;
          const finish = () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated,
              address: target.address,
            });
          res.on('data', (chunk: Buffer) => {
            if (truncated) return;
            const room = MAX_RESPONSE_BYTES - size;
            if (chunk.length > room) {
              chunks.push(chunk.subarray(0, room));
              truncated = true;
              res.destroy();
              finish();
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', finish);
          res.on('error', (error) => {
            if (truncated) return;
            reject(signal.aborted ? new Error(`timeout after ${this.timeoutMs} ms`) : error);
          });
        },
      );
      req.on('error', (error) =>
        reject(signal.aborted ? new Error(`timeout after ${this.timeoutMs} ms`) : error),
      );
      req.end(body);
    });
  }
}
